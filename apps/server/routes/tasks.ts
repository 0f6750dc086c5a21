import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AgentDeps } from '../../agents/index.js';
import { addTask, getTask, listTasks, openTasks, updateTask, type Board } from '../../tasks/index.js';
import { taskSchemas as schema } from './tasks.schema.js';

// The task board (CONTRACT §3): list (by project and status), add, change.
export const taskRoutes: FastifyPluginAsyncZod<{ agents: AgentDeps }> = async (app, { agents }) => {
  const board: Board = { agents, store: openTasks(agents.config.home) };
  app.addHook('onClose', async () => board.store.close());

  app.get('/api/tasks', { schema: schema.list }, async (request) => listTasks(board, request.query));
  app.post('/api/tasks', { schema: schema.add }, async (request, reply) => reply.code(201).send(await addTask(board, request.body)));
  app.get('/api/tasks/:id', { schema: schema.one }, async (request) => getTask(board, request.params.id));
  app.patch('/api/tasks/:id', { schema: schema.change }, async (request) => updateTask(board, request.params.id, request.body));
};
