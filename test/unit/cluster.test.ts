import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { agentOf, appendMessage, isCmuxError, loadConfig, localise, qualify, type ClusterConfig } from '../../apps/core/src/index.ts';
import { configError as configErrorIn } from '../helpers/config-error.ts';
import { hubConf, hostPermissions } from '../../apps/cluster/hub/config.ts';
import { findNatsServer } from '../../apps/cluster/hub/nats-server.ts';
import { clusterNames, parseSubject } from '../../apps/cluster/names.ts';
import { assertSafeHub, assertSafeLink } from '../../apps/cluster/nats/security.ts';
import { hostBeatSchema, rpcRequestSchema, statusEventSchema, wireMessageSchema } from '../../apps/cluster/wire.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-cluster-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function homeWith(name: string, clusterYaml?: string): string {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  if (clusterYaml !== undefined) writeFileSync(join(home, 'cluster.yaml'), clusterYaml, { mode: 0o600 });
  return home;
}

const configError = (env: NodeJS.ProcessEnv) => configErrorIn(env, dir);

const member = (nats: Partial<ClusterConfig['nats']>): ClusterConfig => ({
  host: 'b',
  name: 'cmux',
  heartbeatMs: 2000,
  unreachableMs: 6000,
  maxInFlight: 4096,
  nats: { url: 'nats://127.0.0.1:4222', user: null, password: null, token: null, credsFile: null, tls: { ca: null, cert: null, key: null }, privateNetwork: false, ...nats },
  hub: null,
});

describe('addresses across hosts', () => {
  it('names a host after @, lowercase, 1-32, for agents and daemons but never the user', async () => {
    const home = homeWith('addresses');
    for (const to of ['w1@b', 'proj:w1@b', 'system:router@b', 'w1@host-2', `w1@${'h'.repeat(32)}`]) {
      assert.equal((await appendMessage(home, { from: 'user', to, subject: 's' })).to, to);
    }
    for (const to of ['user@b', 'w1@B', 'w1@', `w1@${'h'.repeat(33)}`, 'w1@b@c', 'w1@-b', 'w1@b.c', 'w1@b/..']) {
      await assert.rejects(appendMessage(home, { from: 'user', to, subject: 's' }), (e) => isCmuxError(e, 'CMUX_ERR_BAD_REQUEST'), to);
    }
  });

  it('keeps each host\'s own agents without a host and qualifies them on the wire', () => {
    assert.deepEqual(agentOf('proj:w1@b'), { session: 'proj', name: 'w1', host: 'b' });
    assert.deepEqual(agentOf('w1'), { session: null, name: 'w1', host: null });
    assert.equal(agentOf('system:router@b'), null);
    assert.equal(localise('w1@b', 'b'), 'w1');
    assert.equal(localise('w1@a', 'b'), 'w1@a');
    assert.equal(qualify('w1', 'a'), 'w1@a');
    assert.equal(qualify('user', 'a'), 'user');
    assert.equal(qualify('w1@c', 'a'), 'w1@c');
  });
});

describe('cluster configuration', () => {
  it('is off by default: a single host has no cluster', () => {
    assert.equal(loadConfig({ env: { CMUX_HOME: homeWith('single') }, cwd: dir }).cluster, null);
  });

  it('reads $CMUX_HOME/cluster.yaml after the user file, paths relative to the home, and needs a host name', () => {
    const home = homeWith('joined', 'cluster:\n  host: desk\n  nats:\n    url: nats://127.0.0.1:4222\n    credsFile: desk.creds\n');
    const config = loadConfig({ env: { CMUX_HOME: home }, cwd: dir });
    assert.equal(config.cluster?.host, 'desk');
    assert.equal(config.cluster?.nats.credsFile, join(home, 'desk.creds'));
    assert.equal(config.cluster?.hub, null);
    assert.equal(config.files.cluster, join(home, 'cluster.yaml'));
    assert.match(configError({ CMUX_HOME: homeWith('nameless', 'cluster:\n  nats:\n    url: nats://127.0.0.1:4222\n') }), /cluster\.host .*name this host/);
    assert.equal(loadConfig({ env: { CMUX_HOME: homeWith('by-env'), CMUX_CLUSTER_URL: 'nats://127.0.0.1:5', CMUX_CLUSTER_HOST: 'lap' }, cwd: dir }).cluster?.host, 'lap');
  });

  it('refuses other keys in cluster.yaml, bad names and urls, and never echoes a password', () => {
    assert.match(configError({ CMUX_HOME: homeWith('other-keys', 'cluster:\n  host: a\nserver:\n  port: 1\n') }), /server .*cluster section alone/);
    assert.match(configError({ CMUX_HOME: homeWith('upper', 'cluster:\n  host: Desk\n') }), /cluster\.host/);
    assert.match(configError({ CMUX_HOME: homeWith('long', `cluster:\n  host: ${'h'.repeat(33)}\n`) }), /cluster\.host/);
    assert.match(configError({ CMUX_HOME: homeWith('url', 'cluster:\n  host: a\n  nats:\n    url: http://x\n') }), /cluster\.nats\.url/);
    for (const [name, listen] of [['port-high', '127.0.0.1:99999'], ['port-zero', '127.0.0.1:0'], ['no-port', 'nonsense']] as const) {
      assert.match(configError({ CMUX_HOME: homeWith(name, `cluster:\n  host: a\n  hub:\n    enabled: true\n    listen: ${listen}\n`) }), /cluster\.hub\.listen/);
    }
    const secret = configError({ CMUX_HOME: homeWith('pw', 'cluster:\n  host: a\n  nats:\n    password: 12\n') });
    assert.match(secret, /cluster\.nats\.password/);
    assert.doesNotMatch(secret, /12/);
    const linked = homeWith('linked');
    writeFileSync(join(dir, 'elsewhere.yaml'), 'cluster:\n  host: a\n');
    symlinkSync(join(dir, 'elsewhere.yaml'), join(linked, 'cluster.yaml'));
    assert.match(configError({ CMUX_HOME: linked }), /symbolic link/);
  });

  it('makes the hub\'s own host a member of it, reached on loopback', () => {
    const home = homeWith('hub', 'cluster:\n  host: hub\n  hub:\n    enabled: true\n    listen: 0.0.0.0:4333\n');
    const { cluster } = loadConfig({ env: { CMUX_HOME: home }, cwd: dir });
    assert.equal(cluster?.nats.url, 'nats://127.0.0.1:4333');
    assert.equal(cluster?.hub?.storeDir, join(home, 'nats', 'store'));
  });
});

describe('cluster security', () => {
  const insecure = (fn: () => void) => assert.throws(fn, (e) => isCmuxError(e, 'CMUX_ERR_CLUSTER_INSECURE'));

  it('refuses a hub off loopback without credentials, or without TLS unless the link is private', () => {
    assertSafeLink(member({}));
    insecure(() => assertSafeLink(member({ url: 'nats://hub.example:4222' })));
    insecure(() => assertSafeLink(member({ url: 'nats://10.0.0.2:4222', user: 'b', password: 'p' })));
    assertSafeLink(member({ url: 'nats://10.0.0.2:4222', user: 'b', password: 'p', privateNetwork: true }));
    assertSafeLink(member({ url: 'tls://hub.example:4222', token: 'a-long-token' }));
    assertSafeLink(member({ url: 'nats://hub.example:4222', credsFile: '/x.creds', tls: { ca: '/ca.pem', cert: null, key: null } }));
  });

  it('refuses to serve the hub off loopback without a certificate', () => {
    const hub = { natsServer: null, listen: '0.0.0.0:4222', leafListen: null, tls: { cert: null, key: null }, storeDir: '/s', maxPayloadBytes: 8e6, retentionHours: 1, maxStreamBytes: 1e9 };
    insecure(() => assertSafeHub({ ...member({}), hub }));
    assertSafeHub({ ...member({}), hub: { ...hub, listen: '127.0.0.1:4222' } });
    assertSafeHub({ ...member({}), hub: { ...hub, tls: { cert: '/c', key: '/k' } } });
    insecure(() => assertSafeHub({ ...member({}), hub: { ...hub, listen: '127.0.0.1:4222', leafListen: '0.0.0.0:7422' } }));
  });

  it('says how to install nats-server when it is missing', () => {
    assert.throws(() => findNatsServer(null, { PATH: join(dir, 'nothing') }, [join(dir, 'nothing')]), (e) => isCmuxError(e, 'CMUX_ERR_NATS_MISSING') && /apt-get install nats-server/.test(e.message) && /brew install/.test(e.message));
    assert.throws(() => findNatsServer(join(dir, 'no-such-binary'), {}), (e) => isCmuxError(e, 'CMUX_ERR_NATS_MISSING'));
  });
});

describe('the wire', () => {
  const message = { id: 'm1', ts: '2026-12-06T10:00:00Z', from: 'w2@a', to: 'w1@b', subject: 's' };

  it('takes a message with an attachment and refuses anything else', () => {
    assert.ok(wireMessageSchema.safeParse({ ...message, attachment: { content: 'x' } }).success);
    for (const bad of [{ ...message, extra: 1 }, { ...message, to: '../etc' }, { ...message, id: 'x'.repeat(101) }, { ...message, attachment: { content: 1 } }, { ...message, from: 'user@a' }, null, 'text']) {
      assert.equal(wireMessageSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.equal(statusEventSchema.safeParse({ id: 'm1', status: 'typed', detail: null, at: 'x' }).success, false);
    assert.equal(rpcRequestSchema.safeParse({ v: 1, args: {}, caller: { host: 'A', address: 'user' } }).success, false);
    assert.equal(hostBeatSchema.safeParse({ host: 'a', instance: 'i', startedAt: 'x', at: 'x', apps: new Array(21).fill({ name: 'x', status: 'y', pid: null, restarts: 0, uptimeMs: null, memory: null, cpu: null }), health: { status: 'healthy', problem: null }, agents: 0 }).success, false);
  });

  it('reads the hosts from a subject of the cluster and nothing else', () => {
    const n = clusterNames('cmux');
    assert.deepEqual(parseSubject('cmux', n.mail('b', 'proj:w1', 'a')), { kind: 'mail', toHost: 'b', toAgent: 'proj:w1', fromHost: 'a' });
    assert.deepEqual(parseSubject('cmux', n.status('c')), { kind: 'status', host: 'c' });
    assert.equal(parseSubject('cmux', 'cmux.other.mail.b.w1.a'), null);
    assert.equal(parseSubject('cmux', 'cmux.cmux.mail.b.w1'), null);
  });
});

describe('the hub\'s configuration', () => {
  it('gives each host a user that may speak only as itself, and quotes every value', () => {
    const text = hubConf({
      listen: '127.0.0.1:4222',
      storeDir: '/s "quoted"',
      maxPayloadBytes: 8_388_608,
      leafListen: null,
      tls: { cert: null, key: null },
      admin: { user: 'admin', password: 'pw' },
      hosts: [{ host: 'a', password: 'x"y' }, { host: 'b', password: 'z' }],
      cluster: 'cmux',
    });
    assert.match(text, /store_dir: "\/s \\"quoted\\""/);
    assert.match(text, /user: "a", password: "x\\"y"/);
    const b = hostPermissions('cmux', 'b');
    assert.ok(b.publish.allow.includes('cmux.cmux.mail.*.*.b'));
    assert.ok(!b.publish.allow.some((s) => s.includes('.a.') || s.endsWith('.a')), 'nothing of host a');
    assert.deepEqual(b.subscribe.allow, ['_INBOX.b.>', 'cmux.cmux.rpc.b.>']);
  });

  it('takes leaf nodes only as the leaf user, with its password', () => {
    const conf = { listen: '127.0.0.1:4222', storeDir: '/s', maxPayloadBytes: 1, leafListen: '0.0.0.0:7422', tls: { cert: null, key: null }, admin: { user: 'admin', password: 'pw' }, hosts: [], cluster: 'cmux' };
    assert.throws(() => hubConf(conf), /leaf user's password/);
    assert.match(hubConf({ ...conf, leafPassword: 'lp' }), /leafnodes \{ listen: "0\.0\.0\.0:7422", authorization \{ user: "leaf", password: "lp" \} \}/);
  });
});
