import type { FastifyReply, FastifyRequest } from 'fastify';
import { CmuxError } from '../../core/src/errors/index.js';
import { SESSION_TTL_MS, type Sessions } from './sessions.js';
import { tokenMatches } from './token.js';

export const SESSION_COOKIE = 'cmux_session';
const AGENT_EVENTS = '/api/agent-events';

// The token a script presents: the Authorization header, or ?token= (for a WebSocket client
// that cannot set headers).
export function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' ? query.token : undefined;
}

// The dashboard session id the request's cookie carries.
export function presentedSession(request: FastifyRequest): string | undefined {
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

// The session cookie: random id, never readable by scripts, never sent by another site's
// page, gone when the session expires.
export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`;
}
export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;

// An onRequest hook that refuses (401) a request without the token or a live session; the
// agents' own token is good for reporting agent events only.
export function requireAuth(token: string, sessions: Sessions, agentToken?: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (sessions.isLive(presentedSession(request)) || tokenMatches(presentedToken(request), token)) return;
    if (agentToken && request.method === 'POST' && request.url === AGENT_EVENTS && tokenMatches(presentedToken(request), agentToken)) return;
    void reply.header('www-authenticate', 'Bearer');
    throw new CmuxError('CMUX_ERR_UNAUTHORIZED', 'missing or wrong token: send Authorization: Bearer <token> (see $CMUX_HOME/token), or open the URL `cmux open` prints');
  };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
