import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AgentDeps } from '../../agents/index.js';
import type { HistoryStore } from '../../core/src/history/index.js';
import { openTasks } from '../../tasks/index.js';
import { skippedHeader } from './journal.js';
import { searchEverything } from '../search/search.js';
import { searchSchemas as schema } from './search.schema.js';

// One search over messages, live and archived terminals, the journal and tasks (the dashboard's
// search view), each hit with the place it opens at.
export const searchRoutes: FastifyPluginAsyncZod<{ agents: AgentDeps; history: HistoryStore }> = async (app, { agents, history }) => {
  const tasks = openTasks(agents.config.home);
  app.addHook('onClose', async () => tasks.close());
  app.get('/api/search', { schema: schema.search }, async (request, reply) => searchEverything({ history, tasks, agents }, request.query.q, request.query.limit, skippedHeader(reply)));
};
