import type { ClusterConfig } from '../core/src/config/index.js';

// Every name a cluster uses in NATS, from its name and a host's: the hub's permissions name
// them too (hub/config.ts), so they are made here alone.
export function clusterNames(cluster: string) {
  const stream = `CMUX_${cluster}`;
  const bucket = `cmux_${cluster}`;
  const prefix = `cmux.${cluster}`;
  return {
    // Mail, copies and statuses: one stream for the cluster.
    stream,
    // The registry: a KV bucket (its own stream is KV_<bucket>).
    bucket,
    kvStream: `KV_${bucket}`,
    streamSubjects: [`${prefix}.mail.>`, `${prefix}.copy.>`, `${prefix}.status.>`],
    // A message for `toAgent` (its id without host) of `toHost`, sent by `fromHost`.
    mail: (toHost: string, toAgent: string, fromHost: string) => `${prefix}.mail.${toHost}.${toAgent}.${fromHost}`,
    mailTo: (host: string) => `${prefix}.mail.${host}.>`,
    mailFrom: (host: string) => `${prefix}.mail.*.*.${host}`,
    // A message a host delivered itself, for the other hosts' histories.
    copy: (host: string) => `${prefix}.copy.${host}`,
    // Where a message a host delivers stands.
    status: (host: string) => `${prefix}.status.${host}`,
    // An action for a host's server (request/reply).
    rpc: (host: string, action: string) => `${prefix}.rpc.${host}.${action}`,
    rpcTo: (host: string) => `${prefix}.rpc.${host}.>`,
    rpcAny: `${prefix}.rpc.*.>`,
    // A host's two durable consumers: its own mail, and everything for its history.
    deliver: (host: string) => `deliver_${host}`,
    mirror: (host: string) => `mirror_${host}`,
    hostKey: (host: string) => `hosts.${host}`,
    agentKey: (host: string, session: string, name: string) => `agents.${host}.${session}.${name}`,
    agentKeys: (host: string) => `agents.${host}.>`,
    inbox: (host: string) => `_INBOX.${host}`,
  };
}

export type ClusterNames = ReturnType<typeof clusterNames>;

export function namesOf(cluster: ClusterConfig): ClusterNames {
  return clusterNames(cluster.name);
}

// Parses a subject of the stream: which kind, and the hosts it names.
export function parseSubject(cluster: string, subject: string):
  | { kind: 'mail'; toHost: string; toAgent: string; fromHost: string }
  | { kind: 'copy' | 'status'; host: string }
  | null {
  const parts = subject.split('.');
  if (parts[0] !== 'cmux' || parts[1] !== cluster) return null;
  if (parts[2] === 'mail' && parts.length === 6) return { kind: 'mail', toHost: parts[3]!, toAgent: parts[4]!, fromHost: parts[5]! };
  if ((parts[2] === 'copy' || parts[2] === 'status') && parts.length === 4) return { kind: parts[2], host: parts[3]! };
  return null;
}
