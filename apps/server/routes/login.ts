import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { serverUrl, type CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { AttemptGuard } from '../auth/attempts.js';
import { presentedSession, sessionOf } from '../auth/hook.js';
import type { Sessions } from '../auth/sessions.js';
import { tokenMatches } from '../auth/token.js';
import { loginSchemas as schema } from './login.schema.js';

// The dashboard's login and logout (public). The token (the login form) or a one-time code
// (the printed URL) buys a session secret, answered in the body for the page to keep in its
// own storage and send as a header; nothing is set in a cookie. Wrong ones spend the client's
// allowance (429 past it). Logout ends the session's whole family on the server.
export const loginRoutes: FastifyPluginAsyncZod<{ token: string; sessions: Sessions; attempts: AttemptGuard }> = async (app, { token, sessions, attempts }) => {
  app.post('/api/login', { schema: schema.login }, async (request, reply) => {
    attempts.check(request, reply);
    const body = request.body;
    const login = 'code' in body ? sessions.redeem(body.code) : tokenMatches(body.token, token) ? sessions.open() : null;
    if (!login) {
      attempts.failed(request);
      throw new CmuxError('CMUX_ERR_UNAUTHORIZED', 'wrong token, or a login code that was used already or has expired');
    }
    return reply.header('cache-control', 'no-store').send(login);
  });
  app.post('/api/logout', async (request, reply) => {
    sessions.logout(presentedSession(request));
    return reply.code(204).send();
  });
};

// POST /api/login/code (behind the token or a session): a fresh one-time dashboard URL, for
// `cmux start` and `cmux open`. Minted by a session, it joins that session's family: the
// logout that ends the session ends what the URL logs in.
export const loginCodeRoutes: FastifyPluginAsync<{ config: CmuxConfig; sessions: Sessions }> = async (app, { config, sessions }) => {
  app.post('/api/login/code', async (request, reply) => {
    const { code, expiresAt } = sessions.issueCode(sessionOf(request));
    return reply.code(201).send({ url: `${serverUrl(config)}/?code=${code}`, expiresAt });
  });
};
