import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenMatches } from './token.js';

export const TOKEN_COOKIE = 'cmux_token';

// The token a request presents: the Authorization header, the cmux cookie, or ?token=.
export function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const cookie = readCookie(request.headers.cookie, TOKEN_COOKIE);
  if (cookie) return cookie;
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' ? query.token : undefined;
}

// An onRequest hook that answers 401 unless the request carries the token.
export function requireToken(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!tokenMatches(presentedToken(request), token)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'missing or wrong token: send Authorization: Bearer <token> (see $CMUX_HOME/token)' });
    }
  };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
