import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AgentDeps } from '../../agents/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { HistoryStore } from '../../core/src/history/index.js';
import { recordSessionId } from '../../registry/index.js';
import type { HookStore } from '../agents/hook-events.js';
import { storeReply } from '../agents/replies.js';
import type { StatusMonitor } from '../agents/status-monitor.js';
import type { UsageTracker } from '../../usage/index.js';
import { agentEventSchemas as schema } from './agent-events.schema.js';

const SESSION_ID = /^[A-Za-z0-9_-]{1,100}$/;

export interface AgentEventDeps {
  hooks: HookStore;
  monitor: StatusMonitor;
  agents: AgentDeps;
  history: HistoryStore;
  usage: UsageTracker;
}

// Agent programs' own hook events (scripts/agent-hook.mjs posts Claude Code's), read by
// their kind's adapter: they set the agent's status while fresh and feed the activity stream;
// a session id (Claude Code's SessionStart) goes into the registry, and a turn's answer (its
// Stop) is stored as a message.
export const agentEventRoutes: FastifyPluginAsyncZod<AgentEventDeps> = async (app, { hooks, monitor, agents, history, usage }) => {
  app.post('/api/agent-events', { schema: schema.report }, async (request, reply) => {
    const body = request.body;
    const kind = agents.kinds.byName(body.kind);
    if (!kind) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `kind: no agent kind ${JSON.stringify(body.kind)}`, { context: { field: 'kind' } });
    const facts = kind.adapter.hookEvent(body.event, body.payload ?? {});
    hooks.record(body.agent, body.event, facts);
    monitor.publish();
    if (facts.sessionId && SESSION_ID.test(facts.sessionId)) {
      await recordSessionId(agents, body.agent, facts.sessionId);
      // The usage ledger learns the new transcript at once: an agent killed before the next
      // scheduled read still has its tokens counted.
      usage.refresh().catch((error: unknown) => agents.logger.warn(`reading usage failed: ${(error as Error).message}`));
    }
    if (facts.reply) await storeReply(agents.config, history, body.agent, facts.reply);
    return reply.code(202).send({ ok: true });
  });

  app.get('/api/agent-events', { schema: schema.recent }, async (request) => {
    const { agent, limit } = request.query;
    return hooks.recent(agent, limit);
  });
};
