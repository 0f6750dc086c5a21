import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertKnownRemote } from '../../agents/find.js';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { HistoryStore } from '../../core/src/history/index.js';
import { appendMessage, localiseMessage, qualifyMessage } from '../../core/src/mailbox/index.js';
import { projectAgentNames } from '../../projects/agents.js';
import type { ClusterSide } from '../cluster/side.js';
import type { Hub } from '../ws/hub.js';
import { messageSchemas as schema } from './messages.schema.js';

// The message history and the mailbox (CONTRACT §3), and the door through which the other
// daemons hand the dashboards an event.
export const messageRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig; history: HistoryStore; hub: Hub; cluster: ClusterSide }> = async (app, { config, history, hub, cluster }) => {
  app.get('/api/messages', { schema: schema.page }, async (request) => {
    const { project, ...query } = request.query;
    return history.page(project === undefined ? query : { ...query, agents: await projectAgentNames(config, project) });
  });

  app.post('/api/messages', { schema: schema.send }, async (request, reply) => {
    const body = request.body;
    assertKnownRemote(config, body.to);
    const message = await appendMessage(config.home, { ...body, from: body.from ?? 'user' });
    return reply.code(202).send({ id: message.id });
  });

  // Takes back a message not typed yet: here, or on the host of its agent (which may be away:
  // CMUX_ERR_HOST_UNREACHABLE, and the message is typed once that host is back). Answers
  // where it stands now: `withdrawn`, or `delivering` (being typed: too late), or final.
  app.post('/api/messages/:id/withdraw', { schema: schema.withdraw }, async (request) => {
    const stored = history.get(request.params.id);
    if (!stored) throw new CmuxError('CMUX_ERR_MESSAGE_NOT_FOUND', `no message ${request.params.id} in this host's history`);
    const detail = request.body.detail ?? 'withdrawn by its sender';
    const target = cluster.opsFor(stored.to);
    if (target.host === null) return target.ops.withdraw({ message: stored, detail });
    const theirs = localiseMessage(qualifyMessage(stored, cluster.self!), target.host);
    const now = await target.ops.withdraw({ message: { id: theirs.id, ts: theirs.ts, from: theirs.from, to: theirs.to, subject: theirs.subject }, detail });
    const changed = now.status === 'withdrawn' ? history.withdraw(stored, now.detail ?? detail).status === 'withdrawn' : history.advance(stored.id, now.status, now.detail);
    if (changed) hub.broadcast('message_status', { id: stored.id, from: stored.from, to: stored.to, status: now.status, detail: now.detail });
    return { id: stored.id, status: now.status, detail: now.detail };
  });

  app.post('/api/events', { schema: schema.event }, async (request, reply) => {
    const { event, data } = request.body;
    hub.broadcast(event, data);
    return reply.code(202).send({ ok: true });
  });
};
