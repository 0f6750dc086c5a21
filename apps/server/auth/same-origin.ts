import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CmuxConfig } from '../../core/src/index.js';
import { isLoopback } from './loopback.js';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hostName(hostHeader: string): string {
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d+$/, '');
}

// An onRequest hook that refuses what a hostile web page could send through the browser:
// a Host header that is not this server's (DNS rebinding), and a state-changing request whose
// Origin is another site (cross-site request forgery; the cookie is SameSite=Strict too).
export function sameOrigin(config: CmuxConfig) {
  const loopbackOnly = isLoopback(config.server.host);
  const allowed = new Set(config.server.allowedHosts.map((h) => h.toLowerCase()));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const host = (request.headers.host ?? '').toLowerCase();
    const name = hostName(host);
    if ((loopbackOnly || allowed.size > 0) && !isLoopback(name) && !allowed.has(name)) {
      await reply.code(421).send({ error: `Host ${JSON.stringify(host.slice(0, 100))} is not this server: add it to server.allowedHosts if it is meant to be` });
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && UNSAFE_METHODS.has(request.method)) {
      let originHost: string | null = null;
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {
        originHost = null;
      }
      if (originHost !== host) await reply.code(403).send({ error: `a ${request.method} from another site (${origin.slice(0, 100)}) is refused` });
    }
  };
}
