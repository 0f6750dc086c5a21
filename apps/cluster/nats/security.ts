import type { ClusterConfig } from '../../core/src/config/index.js';
import { isLoopback } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';

// The host part of a nats:// or tls:// url.
export function urlHost(url: string): string {
  try {
    return new URL(url.replace(/^(nats|tls):/, 'http:')).hostname;
  } catch {
    return url;
  }
}

// A member joins a hub off loopback only with credentials, and only over TLS unless the link
// is declared private (a VPN): anyone on the path could otherwise read or steer the team.
export function assertSafeLink(cluster: ClusterConfig): void {
  const { nats } = cluster;
  const host = urlHost(nats.url);
  if (isLoopback(host)) return;
  const credentials = (nats.user !== null && nats.password !== null) || nats.token !== null || nats.credsFile !== null;
  if (!credentials) {
    throw new CmuxError(
      'CMUX_ERR_CLUSTER_INSECURE',
      `refusing to join ${nats.url} without credentials: set cluster.nats.user and password (\`cmux cluster add-host ${cluster.host}\` on the hub prints them), a token, or a credsFile`,
    );
  }
  const tls = nats.url.startsWith('tls://') || nats.tls.ca !== null || nats.tls.cert !== null;
  if (!tls && !nats.privateNetwork) {
    throw new CmuxError(
      'CMUX_ERR_CLUSTER_INSECURE',
      `refusing to join ${nats.url} without TLS: use a tls:// url (with cluster.nats.tls.ca when the hub's certificate is your own), or set cluster.nats.privateNetwork: true when the link is a WireGuard or Tailscale one`,
    );
  }
}

// The hub listens off loopback only with a certificate: its members' passwords cross the wire.
export function assertSafeHub(cluster: ClusterConfig): void {
  const hub = cluster.hub;
  if (!hub) return;
  for (const [key, listen] of [['listen', hub.listen], ['leafListen', hub.leafListen]] as const) {
    if (listen === null) continue;
    const host = listen.slice(0, listen.lastIndexOf(':'));
    if (!isLoopback(host) && (hub.tls.cert === null || hub.tls.key === null) && !cluster.nats.privateNetwork) {
      throw new CmuxError(
        'CMUX_ERR_CLUSTER_INSECURE',
        `refusing to serve the hub on ${listen} (cluster.hub.${key}) without TLS: set cluster.hub.tls.cert and key, or listen on loopback, or set cluster.nats.privateNetwork: true on a private link`,
      );
    }
  }
}
