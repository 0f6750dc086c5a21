import type { FastifyReply, FastifyRequest } from 'fastify';
import { agentIdentityToken } from '../../core/src/agents/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { AttemptGuard } from './attempts.js';
import type { Sessions } from './sessions.js';
import { tokenMatches } from './token.js';

// The header the dashboard sends its session secret in. Not a cookie: a browser sends cookies
// to every port of a host (RFC 6265 §8.5), so any other local web server the person visits
// would get the session; the secret lives in the page's own origin (scheme, host and port).
export const SESSION_HEADER = 'x-cmux-session';
// A browser cannot set headers on a WebSocket: the dashboard asks for the `cmux` subprotocol
// and names its session in a second one, `cmux.session.<secret>`. The server answers `cmux`.
export const WS_PROTOCOL = 'cmux';
const WS_SESSION_PREFIX = `${WS_PROTOCOL}.session.`;
const AGENT_EVENTS = '/api/agent-events';
// The header an agent names itself in, beside its own token (CMUX_AGENT_TOKEN), on the routes
// an agent calls as itself (routes/me.ts).
export const AGENT_HEADER = 'x-cmux-agent';
export const AGENT_ROUTES = '/api/me';

// How each request was let in: the session's digest, for a dashboard session.
const SESSION_OF = new WeakMap<FastifyRequest, string>();
// The agent a request was let in as, on the agent's own routes.
const AGENT_OF = new WeakMap<FastifyRequest, string>();

// The token a script presents: the Authorization header, or ?token= (for a WebSocket client
// that cannot set headers) spelled literally.
export function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim() || undefined;
  return literalQueryValue(request.url, 'token');
}

// The value of the query parameter named exactly `key`, if it is there once. A percent-encoded
// spelling of the name (`to%6ben`) is another parameter: it opens nothing, as log redaction
// and a reader of the URL would not take it for the token.
function literalQueryValue(url: string, key: string): string | undefined {
  const start = url.indexOf('?');
  if (start < 0) return undefined;
  const values = url
    .slice(start + 1)
    .split('&')
    .filter((part) => part.startsWith(`${key}=`));
  if (values.length !== 1) return undefined;
  try {
    return decodeURIComponent(values[0]!.slice(key.length + 1).replaceAll('+', ' ')) || undefined;
  } catch {
    return undefined;
  }
}

// The dashboard session secret the request carries: the header, or on a WebSocket upgrade
// the subprotocol that names it.
export function presentedSession(request: FastifyRequest): string | undefined {
  const header = request.headers[SESSION_HEADER];
  if (typeof header === 'string') return header || undefined;
  const protocols = request.headers['sec-websocket-protocol'];
  if (typeof protocols !== 'string') return undefined;
  const named = protocols
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(WS_SESSION_PREFIX));
  return named?.slice(WS_SESSION_PREFIX.length) || undefined;
}

// The digest of the dashboard session a request came in with; undefined when it showed the token.
export function sessionOf(request: FastifyRequest): string | undefined {
  return SESSION_OF.get(request);
}

// The agent a request on the agent's own routes was let in as: the name its token proves.
export function agentOf(request: FastifyRequest): string | undefined {
  return AGENT_OF.get(request);
}

// Whether the request names an agent in its header and presents that agent's own token, on the
// agent's own routes: the only way to act as an agent, so no body or argument can name another.
function provesAgent(request: FastifyRequest, presented: string, secret: string | undefined): string | undefined {
  const name = request.headers[AGENT_HEADER];
  if (!secret || typeof name !== 'string' || !isAgentRoute(request.url)) return undefined;
  return tokenMatches(presented, agentIdentityToken(secret, name)) ? name : undefined;
}

function isAgentRoute(url: string): boolean {
  return url === AGENT_ROUTES || url.startsWith(`${AGENT_ROUTES}/`) || url.startsWith(`${AGENT_ROUTES}?`);
}

// An onRequest hook that refuses (401) a request without the token or a live session; the
// agents' secret is good for reporting agent events only, and an agent's own token for its own
// routes (/api/me) only. A request that presents a token
// is judged by it alone, within the client's allowance of wrong ones (429 past it).
export function requireAuth(token: string, sessions: Sessions, attempts: AttemptGuard, agentToken?: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const presented = presentedToken(request);
    if (presented === undefined) {
      const session = sessions.use(presentedSession(request));
      if (session) {
        SESSION_OF.set(request, session);
        return;
      }
    } else {
      attempts.check(request, reply);
      if (tokenMatches(presented, token)) return;
      if (agentToken && request.method === 'POST' && request.url === AGENT_EVENTS && tokenMatches(presented, agentToken)) return;
      const agent = provesAgent(request, presented, agentToken);
      if (agent) {
        AGENT_OF.set(request, agent);
        return;
      }
      attempts.failed(request);
    }
    void reply.header('www-authenticate', 'Bearer');
    throw new CmuxError('CMUX_ERR_UNAUTHORIZED', 'missing or wrong token: send Authorization: Bearer <token> (see $CMUX_HOME/token), or open the URL `cmux open` prints');
  };
}

// Picks the subprotocol a WebSocket is answered with: `cmux` when the client asked for it
// (the dashboard, whose session rides in another), none for a script that asked for none.
export function chooseWsProtocol(protocols: Set<string>): string | false {
  return protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false;
}
