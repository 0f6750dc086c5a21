import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AgentDeps } from '../../agents/index.js';
import { addTask, getTask, listTasks, newTaskSchema, openTasks, taskChangeSchema, taskStatusSchema, updateTask, type Board } from '../../tasks/index.js';
import { parse } from '../validate.js';

const listQuery = z.object({ project: z.string().min(1).max(64).optional(), status: taskStatusSchema.optional() });
const idParams = z.object({ id: z.coerce.number().int().min(1, 'a task id is a whole number from 1') });

// The task board (CONTRACT §3): list (by project and status), add, change.
export const taskRoutes: FastifyPluginAsync<{ agents: AgentDeps }> = async (app, { agents }) => {
  const board: Board = { agents, store: openTasks(agents.config.home) };
  app.addHook('onClose', async () => board.store.close());

  app.get('/api/tasks', async (request) => listTasks(board, parse(listQuery, request.query, 'query')));

  app.post('/api/tasks', async (request, reply) => reply.code(201).send(await addTask(board, parse(newTaskSchema, request.body))));

  app.get('/api/tasks/:id', async (request) => getTask(board, parse(idParams, request.params, 'id').id));

  app.patch('/api/tasks/:id', async (request) => {
    const { id } = parse(idParams, request.params, 'id');
    return updateTask(board, id, parse(taskChangeSchema, request.body));
  });
};
