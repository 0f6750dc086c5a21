import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { AGENT_NAME } from '../../core/src/index.js';
import type { HookStore } from '../agents/hook-events.js';
import type { StatusMonitor } from '../agents/status-monitor.js';
import { parse } from '../validate.js';

const eventBody = z.strictObject({
  agent: z.string().regex(AGENT_NAME, 'an agent name'),
  event: z.string().regex(/^[A-Za-z]{1,64}$/, 'a hook event name such as PostToolUse'),
  payload: z.record(z.string(), z.unknown()).optional(),
});
const eventsQuery = z.object({
  agent: z.string().regex(AGENT_NAME).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// Claude Code hook events (scripts/claude-hook.mjs posts them): they set the agent's status
// while fresh and feed the activity stream.
export const agentEventRoutes: FastifyPluginAsync<{ hooks: HookStore; monitor: StatusMonitor }> = async (app, { hooks, monitor }) => {
  app.post('/api/agent-events', async (request, reply) => {
    const body = parse(eventBody, request.body);
    hooks.record(body.agent, body.event, body.payload ?? {});
    void monitor.refresh().catch(() => undefined);
    return reply.code(202).send({ ok: true });
  });

  app.get('/api/agent-events', async (request) => {
    const { agent, limit } = parse(eventsQuery, request.query, 'query');
    return hooks.recent(agent, limit);
  });
};
