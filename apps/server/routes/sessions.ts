import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CmuxError } from '../../core/src/errors/index.js';
import { sessionOf } from '../auth/hook.js';
import type { Sessions } from '../auth/sessions.js';
import { sessionSchemas as schema } from './sessions.schema.js';

// The dashboard sessions, listed and ended (`cmux sessions`). With the token only: a session,
// which may be a stolen one, can neither see the others nor log them out.
export const sessionRoutes: FastifyPluginAsyncZod<{ sessions: Sessions }> = async (app, { sessions }) => {
  app.addHook('onRequest', async (request) => {
    if (sessionOf(request) !== undefined) {
      throw new CmuxError('CMUX_ERR_UNAUTHORIZED', 'dashboard sessions are listed and ended with the API token (`cmux sessions`), not from a dashboard session');
    }
  });
  app.get('/api/sessions', async () => sessions.list());
  app.delete('/api/sessions', async () => ({ revoked: sessions.revokeAll() }));
  app.delete('/api/sessions/:id', { schema: schema.one }, async (request) => {
    const revoked = sessions.revoke(request.params.id);
    if (revoked === 0) throw new CmuxError('CMUX_ERR_SESSION_NOT_FOUND', `no live session ${request.params.id}: \`cmux sessions\` lists them`);
    return { revoked };
  });
};
