import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CmuxConfig } from '../../core/src/config/index.js';
import type { HistoryStore } from '../../core/src/history/index.js';
import { appendMessage } from '../../core/src/mailbox/index.js';
import { projectAgentNames } from '../../projects/agents.js';
import type { Hub } from '../ws/hub.js';
import { messageSchemas as schema } from './messages.schema.js';

// The message history and the mailbox (CONTRACT §3), and the door through which the other
// daemons hand the dashboards an event.
export const messageRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig; history: HistoryStore; hub: Hub }> = async (app, { config, history, hub }) => {
  app.get('/api/messages', { schema: schema.page }, async (request) => {
    const { project, ...query } = request.query;
    return history.page(project === undefined ? query : { ...query, agents: await projectAgentNames(config, project) });
  });

  app.post('/api/messages', { schema: schema.send }, async (request, reply) => {
    const body = request.body;
    const message = await appendMessage(config.home, { ...body, from: body.from ?? 'user' });
    return reply.code(202).send({ id: message.id });
  });

  app.post('/api/events', { schema: schema.event }, async (request, reply) => {
    const { event, data } = request.body;
    hub.broadcast(event, data);
    return reply.code(202).send({ ok: true });
  });
};
