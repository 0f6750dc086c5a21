import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { findAgent, queueMessage, type AgentDeps } from '../../agents/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { getProject } from '../../projects/index.js';
import { registerExistingWindow, unregisterAgent } from '../../registry/index.js';
import type { StatusMonitor } from '../agents/status-monitor.js';
import type { ClusterSide } from '../cluster/side.js';
import type { Hub } from '../ws/hub.js';
import { agentSchemas as schema } from './agents.schema.js';

export interface AgentRouteDeps {
  agents: AgentDeps;
  monitor: StatusMonitor;
  hub: Hub;
  cluster: ClusterSide;
}

// The agents resource (CONTRACT §3): list, spawn, inspect, kill, type, interrupt, compact,
// read the terminal, and register windows that exist already. In a cluster every action takes
// another host's agent too (w1@b): its own host does it (ClusterSide.opsFor).
export const agentRoutes: FastifyPluginAsyncZod<AgentRouteDeps> = async (app, { agents, monitor, hub, cluster }) => {
  const on = (id: string) => cluster.opsFor(id);

  // The status monitor's memory (no tmux call unless agents.yaml changed), so the list carries
  // how long each agent has been in its state and agrees with what the WebSocket said.
  app.get('/api/agents', { schema: schema.list }, async (request, reply) => {
    const { project } = request.query;
    if (project !== undefined) getProject(agents.config, project);
    const snapshots = await monitor.current();
    if (monitor.warning) void reply.header('x-cmux-warning', monitor.warning);
    return project === undefined ? snapshots : snapshots.filter((a) => a.project === project);
  });

  app.post('/api/agents', { schema: schema.spawn }, async (request, reply) => {
    const { host, from, ...body } = request.body;
    const spawned = await cluster.opsOn(host, from).spawn(body, from ?? 'user');
    return reply.code(201).send(host && host !== cluster.self ? { ...spawned, id: `${spawned.id}@${host}`, host } : spawned);
  });

  app.get('/api/agents/:id', { schema: schema.one }, async (request) => {
    const { id } = request.params;
    const target = on(id);
    if (target.host === null) await findAgent(agents, target.id);
    const found = (await monitor.current()).find((a) => a.id === (target.host ? id : target.id));
    if (!found) throw new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `no agent ${JSON.stringify(id)}: \`cmux agents\` lists them`, { context: { id } });
    return found;
  });

  app.delete('/api/agents/:id', { schema: schema.kill }, async (request) => {
    const { id, ops, host } = on(request.params.id);
    const killed = await ops.kill({ id, ...request.query });
    return host ? { ...killed, id: request.params.id } : killed;
  });

  app.get('/api/agents/:id/diff', { schema: schema.one }, async (request) => {
    const { id, ops } = on(request.params.id);
    return ops.diff({ id });
  });

  // What a merge would take (the commits) and leave behind (uncommitted files), for a confirmation.
  app.get('/api/agents/:id/merge-preview', { schema: schema.mergePreview }, async (request) => {
    const { id, ops } = on(request.params.id);
    return ops.mergePreview({ id, ...request.query });
  });

  app.post('/api/agents/:id/merge', { schema: schema.merge }, async (request) => {
    const { id, ops } = on(request.params.id);
    return ops.merge({ id, options: request.body });
  });

  app.post('/api/agents/:id/message', { schema: schema.message }, async (request, reply) => {
    const message = await queueMessage(agents, { to: request.params.id, text: request.body.text });
    return reply.code(202).send({ id: message.id });
  });

  // The dialog the agent waits on (its question and choices), or null.
  app.get('/api/agents/:id/dialog', { schema: schema.one }, async (request) => {
    const { id, ops } = on(request.params.id);
    return ops.dialog({ id });
  });

  app.post('/api/agents/:id/answer', { schema: schema.answer }, async (request, reply) => {
    const { id, ops, host } = on(request.params.id);
    const answered = await ops.answer({ id, ...request.body });
    return reply.code(202).send(host ? { ...answered, id: request.params.id } : answered);
  });

  // Keys typed in the dashboard's interactive terminal, straight into the pane.
  app.post('/api/agents/:id/keys', { schema: schema.keys }, async (request, reply) => {
    const { id, ops, host } = on(request.params.id);
    const pressed = await ops.keys({ id, ...request.body });
    return reply.code(202).send(host ? { ...pressed, id: request.params.id } : pressed);
  });

  app.post('/api/agents/:id/interrupt', { schema: schema.one }, async (request, reply) => {
    const { id, ops } = on(request.params.id);
    await ops.interrupt({ id });
    return reply.code(202).send({ id: request.params.id });
  });

  app.post('/api/agents/:id/compact', { schema: schema.one }, async (request, reply) => {
    // Through the mailbox, so the router types it in turn with the agent's other messages.
    const message = await queueMessage(agents, { to: request.params.id, text: '/compact' });
    return reply.code(202).send({ id: message.id });
  });

  // A live screen, or for an agent whose window is gone its archived one, marked `archived`.
  app.get('/api/agents/:id/terminal', { schema: schema.terminal }, async (request) => {
    const { id, ops } = on(request.params.id);
    return ops.terminal({ id, lines: request.query.lines });
  });

  app.post('/api/agents/register', { schema: schema.register }, async (request, reply) => {
    const body = request.body;
    const agent = await registerExistingWindow(agents, {
      id: body.id,
      role: body.role ?? 'worker',
      session: body.session ?? agents.config.tmux.session,
      window: body.window,
      createdBy: 'user',
    });
    void monitor.refresh().catch(() => undefined);
    return reply.code(201).send(agent);
  });

  app.delete('/api/agents/register/:id', { schema: schema.one }, async (request) => {
    const { id } = request.params;
    const agent = await unregisterAgent(agents, id);
    hub.broadcast('agent_removed', { id });
    return agent;
  });
};
