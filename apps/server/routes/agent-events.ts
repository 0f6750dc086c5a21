import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AgentDeps } from '../../agents/index.js';
import { AGENT_NAME, CmuxError, KIND_NAME, type HistoryStore } from '../../core/src/index.js';
import { recordSessionId } from '../../registry/index.js';
import type { HookStore } from '../agents/hook-events.js';
import { storeReply } from '../agents/replies.js';
import type { StatusMonitor } from '../agents/status-monitor.js';
import { parse } from '../validate.js';

const eventBody = z.strictObject({
  agent: z.string().regex(AGENT_NAME, 'an agent name'),
  event: z.string().regex(/^[A-Za-z]{1,64}$/, 'a hook event name such as PostToolUse'),
  payload: z.record(z.string(), z.unknown()).optional(),
  // The kind whose hooks sent the event (its adapter reads it); Claude Code's hook script
  // names itself, and only Claude Code had hooks before kinds were named.
  kind: z.string().regex(KIND_NAME, 'an agent kind such as claude-code').default('claude-code'),
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

// Agent programs' own hook events (scripts/claude-hook.mjs posts Claude Code's), read by
// their kind's adapter: they set the agent's status while fresh and feed the activity stream;
// a session id (Claude Code's SessionStart) goes into the registry, and a turn's answer (its
// Stop) is stored as a message.
export const agentEventRoutes: FastifyPluginAsync<AgentEventDeps> = async (app, { hooks, monitor, agents, history }) => {
  app.post('/api/agent-events', async (request, reply) => {
    const body = parse(eventBody, request.body);
    const kind = agents.kinds.byName(body.kind);
    if (!kind) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `kind: no agent kind ${JSON.stringify(body.kind)}`, { context: { field: 'kind' } });
    const facts = kind.adapter.hookEvent(body.event, body.payload ?? {});
    hooks.record(body.agent, body.event, facts);
    void monitor.refresh().catch(() => undefined);
    if (facts.sessionId && SESSION_ID.test(facts.sessionId)) await recordSessionId(agents, body.agent, facts.sessionId);
    if (facts.reply) await storeReply(agents.config, history, body.agent, facts.reply);
    return reply.code(202).send({ ok: true });
  });

  app.get('/api/agent-events', async (request) => {
    const { agent, limit } = parse(eventsQuery, request.query, 'query');
    return hooks.recent(agent, limit);
  });
};
