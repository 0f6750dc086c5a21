import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { serverUrl, type CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { CLEARED_SESSION_COOKIE, presentedSession, sessionCookie } from '../auth/hook.js';
import type { Sessions } from '../auth/sessions.js';
import { tokenMatches } from '../auth/token.js';
import { loginSchemas as schema } from './login.schema.js';

// The dashboard's login form and logout (public): the token or a one-time code buys a
// session; logout ends it on the server, not only in the browser.
export const loginRoutes: FastifyPluginAsyncZod<{ token: string; sessions: Sessions }> = async (app, { token, sessions }) => {
  app.post('/api/login', { schema: schema.login }, async (request, reply) => {
    const body = request.body;
    const session = 'code' in body ? sessions.redeem(body.code) : tokenMatches(body.token, token) ? sessions.open() : null;
    if (!session) throw new CmuxError('CMUX_ERR_UNAUTHORIZED', 'wrong token, or a login code that was used already or has expired');
    return reply.header('set-cookie', sessionCookie(session)).code(204).send();
  });
  app.post('/api/logout', async (request, reply) => {
    sessions.revoke(presentedSession(request));
    return reply.header('set-cookie', CLEARED_SESSION_COOKIE).code(204).send();
  });
};

// POST /api/login/code (behind the token): a fresh one-time dashboard URL, for `cmux start`
// and `cmux open`.
export const loginCodeRoutes: FastifyPluginAsync<{ config: CmuxConfig; sessions: Sessions }> = async (app, { config, sessions }) => {
  app.post('/api/login/code', async (_request, reply) => {
    const { code, expiresAt } = sessions.issueCode();
    return reply.code(201).send({ url: `${serverUrl(config)}/?code=${code}`, expiresAt });
  });
};
