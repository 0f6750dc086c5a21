import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AgentDeps } from '../../agents/index.js';
import type { HistoryStore } from '../../core/src/index.js';
import { recordSessionId } from '../../registry/index.js';
import type { HookStore } from '../agents/hook-events.js';
import { storeReply } from '../agents/replies.js';
import type { StatusMonitor } from '../agents/status-monitor.js';
import { agentEventSchemas as schema } from './agent-events.schema.js';

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
export const agentEventRoutes: FastifyPluginAsyncZod<AgentEventDeps> = async (app, { hooks, monitor, agents, history }) => {
  app.post('/api/agent-events', { schema: schema.report }, async (request, reply) => {
    const body = request.body;
    const payload = body.payload ?? {};
    hooks.record(body.agent, body.event, payload);
    void monitor.refresh().catch(() => undefined);
    if (body.event === 'SessionStart' && typeof payload.session_id === 'string' && SESSION_ID.test(payload.session_id)) {
      await recordSessionId(agents, body.agent, payload.session_id);
    }
    if (body.event === 'Stop') await storeReply(agents.config, history, body.agent, payload);
    return reply.code(202).send({ ok: true });
  });

  app.get('/api/agent-events', { schema: schema.recent }, async (request) => {
    const { agent, limit } = request.query;
    return hooks.recent(agent, limit);
  });
};
