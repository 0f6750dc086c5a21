import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  agentDiff,
  agentDialog,
  agentTerminal,
  answerAgent,
  createAgent,
  findAgent,
  interruptAgent,
  killAgent,
  mergeAgent,
  pressKeys,
  previewAgentMerge,
  queueMessage,
  startAgent,
  type AgentDeps,
} from '../../agents/index.js';
import { getProject } from '../../projects/index.js';
import { registerExistingWindow, unregisterAgent } from '../../registry/index.js';
import type { HookStore } from '../agents/hook-events.js';
import type { StatusMonitor } from '../agents/status-monitor.js';
import type { Hub } from '../ws/hub.js';
import { agentSchemas as schema } from './agents.schema.js';

export interface AgentRouteDeps {
  agents: AgentDeps;
  monitor: StatusMonitor;
  hooks: HookStore;
  hub: Hub;
}

// The agents resource (CONTRACT §3): list, spawn, inspect, kill, type, interrupt, compact,
// read the terminal, and register windows that exist already.
export const agentRoutes: FastifyPluginAsyncZod<AgentRouteDeps> = async (app, { agents, monitor, hooks, hub }) => {
  const log = agents.logger;

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
    const body = request.body;
    const agent = await createAgent(agents, { ...body, createdBy: 'user' });
    void monitor.refresh().catch(() => undefined);
    // Answered once the agent shows its prompt: an agent that exits or asks what cmux must not
    // answer while starting fails the request. The task is then queued for the router.
    const queued = await startAgent(agents, agent, body.task);
    if (queued) log.info(`queued the task of ${agent.id} as message ${queued.id}`);
    const view = (await monitor.refresh()).find((a) => a.id === agent.id);
    return reply.code(201).send({ ...agent, status: view?.status ?? 'starting', ...(queued ? { taskMessage: queued.id } : {}) });
  });

  app.get('/api/agents/:id', { schema: schema.one }, async (request) => {
    const { id } = request.params;
    await findAgent(agents, id);
    return (await monitor.current()).find((a) => a.id === id);
  });

  app.delete('/api/agents/:id', { schema: schema.kill }, async (request) => {
    const { id } = request.params;
    const killed = await killAgent(agents, id, request.query);
    hooks.forget(id);
    hub.broadcast('agent_removed', { id });
    void monitor.refresh().catch(() => undefined);
    return { id, archive: killed.archive, worktree: killed.worktree };
  });

  app.get('/api/agents/:id/diff', { schema: schema.one }, async (request) => agentDiff(agents, request.params.id));

  // What a merge would take (the commits) and leave behind (uncommitted files), for a confirmation.
  app.get('/api/agents/:id/merge-preview', { schema: schema.mergePreview }, async (request) => previewAgentMerge(agents, request.params.id, request.query));

  app.post('/api/agents/:id/merge', { schema: schema.merge }, async (request) => mergeAgent(agents, request.params.id, request.body));

  app.post('/api/agents/:id/message', { schema: schema.message }, async (request, reply) => {
    const message = await queueMessage(agents, { to: request.params.id, text: request.body.text });
    return reply.code(202).send({ id: message.id });
  });

  // The dialog the agent waits on (its question and choices), or null.
  app.get('/api/agents/:id/dialog', { schema: schema.one }, async (request) => ({ dialog: await agentDialog(agents, request.params.id) }));

  app.post('/api/agents/:id/answer', { schema: schema.answer }, async (request, reply) => {
    const { id } = request.params;
    const { choice, question } = request.body;
    const dialog = await answerAgent(agents, id, choice, question);
    void monitor.refresh().catch(() => undefined);
    return reply.code(202).send({ id, question: dialog.question, choice });
  });

  // Keys typed in the dashboard's interactive terminal, straight into the pane.
  app.post('/api/agents/:id/keys', { schema: schema.keys }, async (request, reply) => {
    const { id } = request.params;
    await findAgent(agents, id);
    const { keys } = request.body;
    await pressKeys(agents, id, keys);
    return reply.code(202).send({ id, keys: keys.length });
  });

  app.post('/api/agents/:id/interrupt', { schema: schema.one }, async (request, reply) => {
    const { id } = request.params;
    await interruptAgent(agents, id);
    return reply.code(202).send({ id });
  });

  app.post('/api/agents/:id/compact', { schema: schema.one }, async (request, reply) => {
    const { id } = request.params;
    // Through the mailbox, so the router types it in turn with the agent's other messages.
    const message = await queueMessage(agents, { to: id, text: '/compact' });
    return reply.code(202).send({ id: message.id });
  });

  // A live screen, or for an agent whose window is gone its archived one, marked `archived`.
  app.get('/api/agents/:id/terminal', { schema: schema.terminal }, async (request) => agentTerminal(agents, request.params.id, request.query.lines));

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
