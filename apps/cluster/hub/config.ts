import { clusterNames } from '../names.js';

// What one host's NATS user may do (docs/CLUSTER.md, Security): send mail, copies and statuses
// only as itself; make, read, rewind and ack only its own two consumers, its delivery one only
// on its own mail; write only its own registry keys (and watch all); ask any host's server, but
// hear only requests for its own and replies in its own inbox.
export function hostPermissions(cluster: string, host: string) {
  const n = clusterNames(cluster);
  const api = '$JS.API';
  const own = (consumer: string) => [
    `${api}.CONSUMER.INFO.${n.stream}.${consumer}`,
    `${api}.CONSUMER.MSG.NEXT.${n.stream}.${consumer}`,
    // The rewind to the ack floor (delete and make again) at start and after a reconnect.
    `${api}.CONSUMER.DELETE.${n.stream}.${consumer}`,
    `$JS.ACK.${n.stream}.${consumer}.>`,
  ];
  return {
    publish: {
      allow: [
        n.mailFrom(host),
        n.copy(host),
        n.status(host),
        n.rpcAny,
        `${api}.INFO`,
        `${api}.STREAM.INFO.${n.stream}`,
        `${api}.STREAM.INFO.${n.kvStream}`,
        // The server checks that the body's filter is the subject's.
        `${api}.CONSUMER.CREATE.${n.stream}.${n.deliver(host)}.${n.mailTo(host)}`,
        `${api}.CONSUMER.CREATE.${n.stream}.${n.mirror(host)}`,
        ...own(n.deliver(host)),
        ...own(n.mirror(host)),
        `$KV.${n.bucket}.${n.agentKeys(host)}`,
        `$KV.${n.bucket}.${n.hostKey(host)}`,
        // Watching or listing the registry is an ordered consumer on its stream; reading a key a
        // direct get.
        `${api}.CONSUMER.CREATE.${n.kvStream}.>`,
        `${api}.CONSUMER.INFO.${n.kvStream}.>`,
        `${api}.DIRECT.GET.${n.kvStream}.>`,
        `$JS.FC.${n.kvStream}.>`,
      ],
    },
    subscribe: { allow: [`${n.inbox(host)}.>`, n.rpcTo(host)] },
    allow_responses: true,
  };
}

// The user leaf nodes connect as (docs/CLUSTER.md, Hosts behind NAT).
export const LEAF_USER = 'leaf';

export interface HubConfText {
  listen: string;
  storeDir: string;
  maxPayloadBytes: number;
  leafListen: string | null;
  // The one user a leaf node (a site's nats-server) connects as: required with leafListen.
  leafPassword?: string;
  tls: { cert: string | null; key: string | null };
  admin: { user: string; password: string };
  hosts: ReadonlyArray<{ host: string; password: string }>;
  cluster: string;
}

const quote = (value: string) => JSON.stringify(value);
const list = (values: readonly string[]) => `[${values.map(quote).join(', ')}]`;

// nats.conf for the hub: JetStream on its store, the admin user (cmux's own setup of the
// stream and the bucket) and one user per host with that host's permissions. The tests start
// nats-server with this same text.
export function hubConf(conf: HubConfText): string {
  const users = [
    `{ user: ${quote(conf.admin.user)}, password: ${quote(conf.admin.password)} }`,
    ...conf.hosts.map(({ host, password }) => {
      const p = hostPermissions(conf.cluster, host);
      return `{ user: ${quote(host)}, password: ${quote(password)}, permissions: { publish: { allow: ${list(p.publish.allow)} }, subscribe: { allow: ${list(p.subscribe.allow)} }, allow_responses: true } }`;
    }),
  ];
  const tls = conf.tls.cert && conf.tls.key ? `tls { cert_file: ${quote(conf.tls.cert)}, key_file: ${quote(conf.tls.key)} }\n` : '';
  // Without an authorization of its own, nats-server takes a leaf node with no credentials at
  // all into the global account, past every host's permissions.
  if (conf.leafListen && !conf.leafPassword) throw new Error('a leaf port needs the leaf user\'s password');
  const leafAuth = `authorization { user: ${quote(LEAF_USER)}, password: ${quote(conf.leafPassword ?? '')} }`;
  const leaf = conf.leafListen ? `leafnodes { listen: ${quote(conf.leafListen)}${tls ? `, ${tls.trim()}` : ''}, ${leafAuth} }\n` : '';
  return [
    '# Written by cmux (cluster hub): every change here is overwritten; see docs/CLUSTER.md.',
    `listen: ${quote(conf.listen)}`,
    `server_name: ${quote(`cmux_${conf.cluster}`)}`,
    `max_payload: ${conf.maxPayloadBytes}`,
    `jetstream { store_dir: ${quote(conf.storeDir)} }`,
    tls.trim(),
    leaf.trim(),
    'authorization {',
    '  users: [',
    ...users.map((u) => `    ${u}`),
    '  ]',
    '}',
    '',
  ]
    .filter((line, i, all) => line !== '' || i === all.length - 1)
    .join('\n');
}
