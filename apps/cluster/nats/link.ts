import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ClusterConfig } from '../../core/src/config/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { connectError, connectionOptions } from './connect.js';
import { natsLib, type NatsLib } from './lib.js';
import { assertSafeLink } from './security.js';

const RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000];
const UP_POLL_MS = 250;

export interface NatsLink {
  readonly lib: NatsLib;
  // The connection, once the hub first answered (an app never waits for that to start).
  ready(): Promise<NatsConnection>;
  connected(): boolean;
  // Since when the link is up, or down (null before the first connection).
  since(): string | null;
  // The connection once it is up, checked every quarter second; null once `stopped` says so.
  whenUp(stopped: () => boolean): Promise<NatsConnection | null>;
  // Called after every reconnect (not the first connection).
  onReconnect(fn: () => void): void;
  // Called when the connection drops.
  onDisconnect(fn: () => void): void;
  close(): Promise<void>;
}

// An app's connection to the hub: made in the background, retried with backoff until the hub
// takes it (a refusal of the credentials is logged as CMUX_ERR_CLUSTER_AUTH each time), then
// kept up by the client for ever; every change is logged. A member whose hub is away keeps
// working locally.
export async function openLink(cluster: ClusterConfig, app: string, logger: Logger): Promise<NatsLink> {
  assertSafeLink(cluster);
  const lib = await natsLib();
  let nc: NatsConnection | null = null;
  let up = false;
  let since: string | null = null;
  let closing = false;
  const reconnects: Array<() => void> = [];
  const disconnects: Array<() => void> = [];
  let resolveReady!: (nc: NatsConnection) => void;
  const ready = new Promise<NatsConnection>((resolve) => (resolveReady = resolve));

  const watch = async (conn: NatsConnection) => {
    for await (const status of conn.status()) {
      if (status.type === 'disconnect') {
        up = false;
        since = new Date().toISOString();
        logger.warn(`cluster: disconnected from ${cluster.nats.url}; local delivery goes on`);
        for (const fn of disconnects) fn();
      } else if (status.type === 'reconnect') {
        up = true;
        since = new Date().toISOString();
        logger.info(`cluster: reconnected to ${cluster.nats.url} as ${cluster.host}`);
        for (const fn of reconnects) fn();
      } else if (status.type === 'error') {
        const error = connectError(cluster, status.error);
        logger.error(`cluster: ${error.code === 'CMUX_ERR_CLUSTER_AUTH' ? `${error.code}: ${error.message}` : status.error.message}`);
      }
    }
  };

  void (async () => {
    for (let attempt = 0; !closing; attempt++) {
      try {
        const conn = await lib.transport.connect({ ...connectionOptions(lib, cluster, app), waitOnFirstConnect: true });
        if (closing) {
          await conn.close();
          return;
        }
        nc = conn;
        up = true;
        since = new Date().toISOString();
        logger.info(`cluster: connected to ${cluster.nats.url} as ${cluster.host}`);
        void watch(conn);
        resolveReady(conn);
        return;
      } catch (error) {
        const refused = connectError(cluster, error);
        logger.error(`cluster: ${refused.code}: ${refused.message}`);
        await sleep(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!);
      }
    }
  })();

  return {
    lib,
    ready: () => ready,
    connected: () => up,
    since: () => since,
    async whenUp(stopped) {
      while (!stopped()) {
        if (up && nc) return nc;
        await sleep(UP_POLL_MS);
      }
      return null;
    },
    onReconnect: (fn) => void reconnects.push(fn),
    onDisconnect: (fn) => void disconnects.push(fn),
    async close() {
      closing = true;
      await nc?.drain().catch(() => nc?.close());
    },
  };
}
