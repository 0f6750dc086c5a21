import { readFileSync } from 'node:fs';
import type { ConnectionOptions, NatsConnection } from '@nats-io/transport-node';
import type { ClusterConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { clusterNames } from '../names.js';
import { natsLib, type NatsLib } from './lib.js';
import { assertSafeLink } from './security.js';

// cluster.nats.credsFile: a .creds file (a user JWT and its NKey seed, from nsc, for a hub in
// operator mode) or a bare NKey user seed (`SU…`, for a hub that lists the user by its public key).
function fileAuthenticator(lib: NatsLib, file: string) {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (error) {
    throw new CmuxError('CMUX_ERR_CONFIG_INVALID', `cannot read cluster.nats.credsFile ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const seed = Buffer.from(bytes).toString('utf8').trim();
  if (/^SU[A-Z2-7]{56}$/.test(seed)) return lib.transport.nkeyAuthenticator(new TextEncoder().encode(seed));
  if (!/BEGIN NATS USER JWT/.test(seed)) {
    throw new CmuxError('CMUX_ERR_CONFIG_INVALID', `cluster.nats.credsFile ${file} is neither a .creds file (a user JWT and its seed) nor an NKey user seed (SU…)`);
  }
  return lib.transport.credsAuthenticator(bytes);
}

// Every member connection's options: this host's credentials and TLS, its own inbox prefix
// (the hub lets it read no other host's replies), and reconnecting for ever (the client's
// default gives up after ten tries, some 20 s of hub outage).
export function connectionOptions(lib: NatsLib, cluster: ClusterConfig, app: string): ConnectionOptions {
  const { nats } = cluster;
  const tls = nats.url.startsWith('tls://') || nats.tls.ca || nats.tls.cert;
  return {
    servers: nats.url,
    name: `cmux-${cluster.host}-${app}`,
    inboxPrefix: clusterNames(cluster.name).inbox(cluster.host),
    ...(nats.user !== null ? { user: nats.user } : {}),
    ...(nats.password !== null ? { pass: nats.password } : {}),
    ...(nats.token !== null ? { token: nats.token } : {}),
    ...(nats.credsFile !== null ? { authenticator: fileAuthenticator(lib, nats.credsFile) } : {}),
    ...(tls
      ? {
          tls: {
            ...(nats.tls.ca ? { caFile: nats.tls.ca } : {}),
            ...(nats.tls.cert ? { certFile: nats.tls.cert } : {}),
            ...(nats.tls.key ? { keyFile: nats.tls.key } : {}),
          },
        }
      : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 10_000,
    maxPingOut: 2,
    // A hub that refuses the credentials once (a reload under way) is tried again; the link logs it.
    ignoreAuthErrorAbort: true,
  };
}

// The error a failed connection attempt means for a person: refused credentials, or no hub.
export function connectError(cluster: ClusterConfig, error: unknown): CmuxError {
  const e = error as Error & { cause?: Error };
  const url = cluster.nats.url;
  if (e.name === 'AuthorizationError' || /authorization violation|authentication/i.test(e.message)) {
    return new CmuxError(
      'CMUX_ERR_CLUSTER_AUTH',
      `the hub at ${url} refused the credentials of host ${cluster.host}: check cluster.nats.user and password (or token, credsFile) — \`cmux cluster add-host ${cluster.host}\` on the hub prints them`,
    );
  }
  const detail = [e.message, e.cause?.message].filter(Boolean).join(': ');
  const hint = /certificate|self.signed|verify/i.test(detail) ? ' (set cluster.nats.tls.ca to the CA that signed the hub\'s certificate)' : '';
  return new CmuxError('CMUX_ERR_CLUSTER_UNAVAILABLE', `cannot reach the hub at ${url}: ${detail}${hint}`);
}

// One connection, made at once or refused: for `cmux start`, `--join` and the hub's own setup,
// which must say now what is wrong. The apps connect through a link (./link.ts) instead.
export async function connectNow(cluster: ClusterConfig, app: string, timeoutMs = 5_000): Promise<{ lib: NatsLib; nc: NatsConnection }> {
  assertSafeLink(cluster);
  const lib = await natsLib();
  const options = connectionOptions(lib, cluster, app);
  try {
    const nc = await lib.transport.connect({ ...options, timeout: timeoutMs, waitOnFirstConnect: false, ignoreAuthErrorAbort: false, maxReconnectAttempts: 0 });
    return { lib, nc };
  } catch (error) {
    throw connectError(cluster, error);
  }
}
