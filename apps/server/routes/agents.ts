import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import {
  agentDiff,
  agentDialog,
  agentTerminal,
  answerAgent,
  createAgent,
  findAgent,
  interruptAgent,
  killAgent,
  MAX_TERMINAL_LINES,
  mergeAgent,
  startAgent,
  type AgentDeps,
} from '../../agents/index.js';
import { appendMessage, summarise } from '../../core/src/index.js';
import { getProject } from '../../projects/index.js';
import { registerExistingWindow, unregisterAgent } from '../../registry/index.js';
import type { HookStore } from '../agents/hook-events.js';
import type { StatusMonitor } from '../agents/status-monitor.js';
import { parse } from '../validate.js';
import type { Hub } from '../ws/hub.js';

const MAX_TEXT_BYTES = 1024 * 1024;

const spawnBody = z.strictObject({
  name: z.string(),
  task: z.string().max(MAX_TEXT_BYTES).optional(),
  command: z.string().min(1).max(4096).optional(),
  cwd: z.string().min(1).max(4096).optional(),
  env: z.record(z.string(), z.string()).optional(),
  worktree: z.boolean().optional(),
  // Checked again (with git's own rules) before git sees them.
  branch: z.string().min(1).max(200).optional(),
  base: z.string().min(1).max(200).optional(),
  project: z.string().min(1).max(64).optional(),
});
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const killQuery = z.strictObject({ force: flag.optional(), keep: flag.optional() });
const mergeBody = z.strictObject({ into: z.string().min(1).max(200).optional(), squash: z.boolean().optional() });
const answerBody = z.strictObject({
  choice: z.string().min(1).max(200),
  // The question the answer is for: refused when the dialog on screen asks something else.
  question: z.string().max(2_000).optional(),
});
const messageBody = z.strictObject({ text: z.string().min(1, 'text is empty').max(MAX_TEXT_BYTES) });
const registerBody = z.strictObject({
  id: z.string().min(1).max(120),
  role: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/).optional(),
  session: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/).optional(),
  window: z.string().min(1).max(120),
});
const listQuery = z.object({ project: z.string().min(1).max(64).optional() });
const idParams = z.object({ id: z.string().min(1).max(120) });
const terminalQuery = z.object({ lines: z.coerce.number().int().min(1).max(MAX_TERMINAL_LINES).default(200) });

export interface AgentRouteDeps {
  agents: AgentDeps;
  monitor: StatusMonitor;
  hooks: HookStore;
  hub: Hub;
}

// The agents resource (CONTRACT §3): list, spawn, inspect, kill, type, interrupt, compact,
// read the terminal, and register windows that exist already.
export const agentRoutes: FastifyPluginAsync<AgentRouteDeps> = async (app, { agents, monitor, hooks, hub }) => {
  const log = agents.logger;

  // The status monitor's memory (no tmux call unless agents.yaml changed), so the list carries
  // how long each agent has been in its state and agrees with what the WebSocket said.
  app.get('/api/agents', async (request, reply) => {
    const { project } = parse(listQuery, request.query, 'query');
    if (project !== undefined) getProject(agents.config, project);
    const snapshots = await monitor.current();
    if (monitor.warning) void reply.header('x-cmux-warning', monitor.warning);
    return project === undefined ? snapshots : snapshots.filter((a) => a.project === project);
  });

  app.post('/api/agents', async (request, reply) => {
    const body = parse(spawnBody, request.body);
    const agent = await createAgent(agents, { ...body, createdBy: 'user' });
    void monitor.refresh().catch(() => undefined);
    // Answered once the agent shows its prompt: an agent that exits or asks what cmux must not
    // answer while starting fails the request. The task is then queued for the router.
    const queued = await startAgent(agents, agent, body.task);
    if (queued) log.info(`queued the task of ${agent.id} as message ${queued.id}`);
    const view = (await monitor.refresh()).find((a) => a.id === agent.id);
    return reply.code(201).send({ ...agent, status: view?.status ?? 'starting', ...(queued ? { taskMessage: queued.id } : {}) });
  });

  app.get('/api/agents/:id', async (request) => {
    const { id } = parse(idParams, request.params, 'id');
    await findAgent(agents, id);
    return (await monitor.refresh()).find((a) => a.id === id && a.registered);
  });

  app.delete('/api/agents/:id', async (request) => {
    const { id } = parse(idParams, request.params, 'id');
    const options = parse(killQuery, request.query, 'query');
    const killed = await killAgent(agents, id, options);
    hooks.forget(id);
    hub.broadcast('agent_removed', { id });
    void monitor.refresh().catch(() => undefined);
    return { id, archive: killed.archive, worktree: killed.worktree };
  });

  app.get('/api/agents/:id/diff', async (request) => {
    const { id } = parse(idParams, request.params, 'id');
    return agentDiff(agents, id);
  });

  app.post('/api/agents/:id/merge', async (request) => {
    const { id } = parse(idParams, request.params, 'id');
    // An agent that does not exist is that (404), whatever the body says.
    await findAgent(agents, id);
    return mergeAgent(agents, id, parse(mergeBody, request.body));
  });

  app.post('/api/agents/:id/message', async (request, reply) => {
    const { id } = parse(idParams, request.params, 'id');
    const { text } = parse(messageBody, request.body);
    await findAgent(agents, id);
    const message = await appendMessage(agents.config.home, { from: 'user', to: id, subject: summarise(text), body: text });
    return reply.code(202).send({ id: message.id });
  });

  // The dialog the agent waits on (its question and choices), or null.
  app.get('/api/agents/:id/dialog', async (request) => {
    const { id } = parse(idParams, request.params, 'id');
    return { dialog: await agentDialog(agents, id) };
  });

  app.post('/api/agents/:id/answer', async (request, reply) => {
    const { id } = parse(idParams, request.params, 'id');
    // An agent that does not exist is that (404), whatever the body says.
    await findAgent(agents, id);
    const { choice, question } = parse(answerBody, request.body);
    const dialog = await answerAgent(agents, id, choice, question);
    void monitor.refresh().catch(() => undefined);
    return reply.code(202).send({ id, question: dialog.question, choice });
  });

  app.post('/api/agents/:id/interrupt', async (request, reply) => {
    const { id } = parse(idParams, request.params, 'id');
    await interruptAgent(agents, id);
    return reply.code(202).send({ id });
  });

  app.post('/api/agents/:id/compact', async (request, reply) => {
    const { id } = parse(idParams, request.params, 'id');
    await findAgent(agents, id);
    // Through the mailbox, so the router types it in turn with the agent's other messages.
    const message = await appendMessage(agents.config.home, { from: 'user', to: id, subject: '/compact' });
    return reply.code(202).send({ id: message.id });
  });

  app.get('/api/agents/:id/terminal', async (request) => {
    const { id } = parse(idParams, request.params, 'id');
    const { lines } = parse(terminalQuery, request.query, 'lines');
    return { text: await agentTerminal(agents, id, lines) };
  });

  app.post('/api/agents/register', async (request, reply) => {
    const body = parse(registerBody, request.body);
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

  app.delete('/api/agents/register/:id', async (request) => {
    const { id } = parse(idParams, request.params, 'id');
    const agent = await unregisterAgent(agents, id);
    hub.broadcast('agent_removed', { id });
    return agent;
  });
};
