import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { addressSchema, appendMessage, type CmuxConfig, type HistoryStore } from '../../core/src/index.js';
import { projectAgentNames } from '../../projects/agents.js';
import { parse } from '../validate.js';
import type { Hub } from '../ws/hub.js';

const pageQuery = z.object({
  agent: addressSchema.optional(),
  project: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().min(1).optional(),
});
const messageBody = z.strictObject({
  to: addressSchema,
  subject: z.string().min(1, 'subject is empty').max(2_000),
  body: z.string().max(8 * 1024 * 1024).optional(),
  from: addressSchema.optional(),
});
const eventBody = z.strictObject({ event: z.enum(['message', 'message_status', 'alert']), data: z.unknown() });

// The message history and the mailbox (CONTRACT §3), and the door through which the other
// daemons hand the dashboards an event.
export const messageRoutes: FastifyPluginAsync<{ config: CmuxConfig; history: HistoryStore; hub: Hub }> = async (app, { config, history, hub }) => {
  app.get('/api/messages', async (request) => {
    const { project, ...query } = parse(pageQuery, request.query, 'query');
    return history.page(project === undefined ? query : { ...query, agents: await projectAgentNames(config, project) });
  });

  app.post('/api/messages', async (request, reply) => {
    const body = parse(messageBody, request.body);
    const message = await appendMessage(config.home, { ...body, from: body.from ?? 'user' });
    return reply.code(202).send({ id: message.id });
  });

  app.post('/api/events', async (request, reply) => {
    const { event, data } = parse(eventBody, request.body);
    hub.broadcast(event, data);
    return reply.code(202).send({ ok: true });
  });
};
