import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { answerAgent, createAgent, interruptAgent, startAgent, type AgentDeps } from '../../agents/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { HistoryStore } from '../../core/src/history/index.js';
import { appendMessage, summarise } from '../../core/src/mailbox/index.js';
import { homePaths } from '../../core/src/paths/index.js';
import { supervisorForAgent } from '../../projects/agents.js';
import { getProject } from '../../projects/index.js';
import { readRegistry } from '../../registry/index.js';
import { addTask, listTasks, openTasks, reportToSupervisor, updateTask, type Board } from '../../tasks/index.js';
import type { StatusMonitor } from '../agents/status-monitor.js';
import { agentOf } from '../auth/hook.js';
import { meSchemas as schema } from './me.schema.js';

export interface MeRouteDeps {
  agents: AgentDeps;
  monitor: StatusMonitor;
  history: HistoryStore;
}

// What an agent does as itself (`cmux mcp`'s tools call these): its name comes from its own
// token (auth/hook.ts), never from the request, so a worker cannot speak as another agent; the
// supervisor's verbs (spawn, interrupt, answer) are refused to anyone else.
export const meRoutes: FastifyPluginAsyncZod<MeRouteDeps> = async (app, { agents, monitor, history }) => {
  const { config } = agents;
  const board: Board = { agents, store: openTasks(config.home) };
  app.addHook('onClose', async () => board.store.close());
  app.addHook('preHandler', async (request) => {
    if (!agentOf(request)) {
      throw new CmuxError('CMUX_ERR_UNAUTHORIZED', 'these routes are for agents: send X-Cmux-Agent: <name> and Authorization: Bearer <its CMUX_AGENT_TOKEN>');
    }
  });
  const me = (request: FastifyRequest) => agentOf(request)!;
  const entryOf = async (name: string) => Object.values((await readRegistry(homePaths(config.home).registry))?.agents ?? {}).find((a) => a.name === name);
  const supervisorOnly = async (request: FastifyRequest, verb: string) => {
    const name = me(request);
    if ((await entryOf(name))?.role !== 'supervisor') {
      throw new CmuxError('CMUX_ERR_FORBIDDEN', `${verb} is for supervisors: ${name} is not one; ask your supervisor with send_message`, { context: { agent: name } });
    }
    return name;
  };

  app.get('/api/me', async (request) => {
    const name = me(request);
    const entry = await entryOf(name);
    return { name, role: entry?.role ?? 'worker', project: entry?.project ?? null, supervisor: await supervisorForAgent(config, name) };
  });

  app.post('/api/me/messages', { schema: schema.send }, async (request, reply) => {
    const { to, text } = request.body;
    const message = await appendMessage(config.home, { from: me(request), to, subject: summarise(text), body: text });
    return reply.code(202).send({ id: message.id, to: message.to });
  });

  app.get('/api/me/messages', { schema: schema.read }, async (request) => {
    const { limit, since } = request.query;
    const page = history.page({ agent: me(request), limit, since });
    return since === undefined ? page.reverse() : page;
  });

  // A progress report is cmux's `status` report: it moves no task.
  app.post('/api/me/report', { schema: schema.report }, async (request, reply) => {
    const { kind, text, task } = request.body;
    const report = await reportToSupervisor(config, board.store, me(request), kind === 'progress' ? 'status' : kind, text, task);
    return reply.code(202).send({ id: report.message.id, to: report.message.to, task: report.task });
  });

  app.get('/api/me/agents', { schema: schema.agents }, async (request) => {
    const { project } = request.query;
    if (project !== undefined) getProject(config, project);
    return (await monitor.current())
      .filter((a) => project === undefined || a.project === project)
      .map((a) => ({ id: a.id, name: a.name, role: a.role, status: a.status, project: a.project ?? null, kind: a.kind ?? null }));
  });

  app.get('/api/me/tasks', { schema: schema.tasks }, async (request) => listTasks(board, request.query));
  app.post('/api/me/tasks', { schema: schema.addTask }, async (request, reply) => reply.code(201).send(await addTask(board, request.body, me(request))));
  app.patch('/api/me/tasks/:id', { schema: schema.changeTask }, async (request) => updateTask(board, request.params.id, request.body, me(request)));

  // Answered once the worker shows its prompt, its task queued (as POST /api/agents).
  app.post('/api/me/spawn', { schema: schema.spawn }, async (request, reply) => {
    const from = await supervisorOnly(request, 'spawn_worker');
    const { task, ...rest } = request.body;
    const project = (await entryOf(from))?.project;
    const agent = await createAgent(agents, { ...rest, project, createdBy: from });
    void monitor.refresh().catch(() => undefined);
    const queued = await startAgent(agents, agent, task);
    return reply.code(201).send({ id: agent.id, name: agent.name, cwd: agent.cwd, taskMessage: queued?.id ?? null });
  });

  app.post('/api/me/interrupt', { schema: schema.interrupt }, async (request, reply) => {
    await supervisorOnly(request, 'interrupt');
    await interruptAgent(agents, request.body.agent);
    return reply.code(202).send({ agent: request.body.agent });
  });

  app.post('/api/me/answer', { schema: schema.answer }, async (request, reply) => {
    await supervisorOnly(request, 'answer');
    const { agent, choice, question } = request.body;
    const dialog = await answerAgent(agents, agent, choice, question);
    void monitor.refresh().catch(() => undefined);
    return reply.code(202).send({ agent, question: dialog.question, choice });
  });
};
