import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AgentDeps } from '../../agents/index.js';
import { AGENT_NAME, type HistoryStore } from '../../core/src/index.js';
import { recordSessionId } from '../../registry/index.js';
import type { HookStore } from '../agents/hook-events.js';
import { storeReply } from '../agents/replies.js';
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

const SESSION_ID = /^[A-Za-z0-9_-]{1,100}$/;

export interface AgentEventDeps {
  hooks: HookStore;
  monitor: StatusMonitor;
  agents: AgentDeps;
  history: HistoryStore;
}

// Claude Code hook events (scripts/claude-hook.mjs posts them): they set the agent's status
// while fresh and feed the activity stream; SessionStart records the session id in the
// registry, and Stop stores the turn's answer as a message.
export const agentEventRoutes: FastifyPluginAsync<AgentEventDeps> = async (app, { hooks, monitor, agents, history }) => {
  app.post('/api/agent-events', async (request, reply) => {
    const body = parse(eventBody, request.body);
    const payload = body.payload ?? {};
    hooks.record(body.agent, body.event, payload);
    monitor.publish();
    if (body.event === 'SessionStart' && typeof payload.session_id === 'string' && SESSION_ID.test(payload.session_id)) {
      await recordSessionId(agents, body.agent, payload.session_id);
    }
    if (body.event === 'Stop') await storeReply(agents.config, history, body.agent, payload);
    return reply.code(202).send({ ok: true });
  });

  app.get('/api/agent-events', async (request) => {
    const { agent, limit } = parse(eventsQuery, request.query, 'query');
    return hooks.recent(agent, limit);
  });
};
