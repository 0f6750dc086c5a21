import type { NatsConnection } from '@nats-io/transport-node';
import type { StreamConfig } from '@nats-io/jetstream';
import type { NatsLib } from '../nats/lib.js';
import { clusterNames } from '../names.js';

const NS_PER_MS = 1_000_000;
// A message published again (a lost acknowledgement, a forwarder that died after it) within
// this window is stored once.
export const DUPLICATE_WINDOW_MS = 60 * 60 * 1000;

export interface HubLimits {
  retentionHours: number;
  maxStreamBytes: number;
  maxPayloadBytes: number;
}

// Makes (or brings up to date) the cluster's stream and registry bucket, as the hub's admin:
// members may make neither. Two settings are part of the security model: no rollup headers
// (else one member's put could wipe the whole registry) and no deleting or purging mail.
export async function ensureResources(lib: NatsLib, nc: NatsConnection, cluster: string, limits: HubLimits): Promise<void> {
  const n = clusterNames(cluster);
  const jsm = await lib.jetstream.jetstreamManager(nc);
  const { RetentionPolicy, StorageType, DiscardPolicy } = lib.jetstream;
  const stream: Partial<StreamConfig> & { name: string } = {
    name: n.stream,
    subjects: n.streamSubjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: limits.retentionHours * 3600 * 1000 * NS_PER_MS,
    max_bytes: limits.maxStreamBytes,
    max_msg_size: limits.maxPayloadBytes,
    discard: DiscardPolicy.Old,
    duplicate_window: DUPLICATE_WINDOW_MS * NS_PER_MS,
    allow_rollup_hdrs: false,
    deny_delete: true,
    deny_purge: true,
    num_replicas: 1,
  };
  const existing = await jsm.streams.info(n.stream).catch(() => null);
  if (existing) await jsm.streams.update(n.stream, { ...existing.config, ...stream });
  else await jsm.streams.add(stream);

  if (!(await jsm.streams.info(n.kvStream).catch(() => null))) {
    await new lib.kv.Kvm(nc).create(n.bucket, { history: 1, storage: StorageType.File, max_bytes: 256 * 1024 * 1024, maxValueSize: 256 * 1024, allow_direct: true });
  }
  const kv = await jsm.streams.info(n.kvStream);
  if (kv.config.allow_rollup_hdrs !== false) await jsm.streams.update(n.kvStream, { ...kv.config, allow_rollup_hdrs: false });
}
