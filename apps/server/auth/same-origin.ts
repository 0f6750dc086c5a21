import type { FastifyRequest } from 'fastify';
import { isLoopback, type CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hostName(hostHeader: string): string {
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d+$/, '');
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return null;
  }
}

// An onRequest hook that refuses what a hostile web page could send through the browser:
// a Host header that is not this server's (DNS rebinding), and a state-changing request or a
// WebSocket whose Origin is another site (cross-site request forgery and WebSocket hijacking;
// the cookie is SameSite=Strict too).
export function sameOrigin(config: CmuxConfig) {
  const loopbackOnly = isLoopback(config.server.host);
  const allowed = new Set(config.server.allowedHosts.map((h) => h.toLowerCase()));
  return async (request: FastifyRequest): Promise<void> => {
    const host = (request.headers.host ?? '').toLowerCase();
    const name = hostName(host);
    if ((loopbackOnly || allowed.size > 0) && !isLoopback(name) && !allowed.has(name)) {
      throw new CmuxError('CMUX_ERR_WRONG_HOST', `Host ${JSON.stringify(host.slice(0, 100))} is not this server: add it to server.allowedHosts if it is meant to be`);
    }
    const origin = request.headers.origin;
    if (origin === undefined || originHost(origin) === host) return;
    const what = request.headers.upgrade?.toLowerCase() === 'websocket' ? 'WebSocket' : UNSAFE_METHODS.has(request.method) ? request.method : null;
    if (what) throw new CmuxError('CMUX_ERR_FOREIGN_ORIGIN', `a ${what} from another site (${origin.slice(0, 100)}) is refused`);
  };
}
