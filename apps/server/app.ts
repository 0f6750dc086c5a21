import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { CmuxConfig } from '../core/src/config/index.js';
import { CmuxError } from '../core/src/errors/index.js';
import type { HistoryStore } from '../core/src/history/index.js';
import type { Logger } from '../core/src/log/index.js';
import type { AgentDeps } from '../agents/index.js';
import type { AppSamples } from './agents/app-samples.js';
import type { HookStore } from './agents/hook-events.js';
import { createLocalOps } from './agents/ops.js';
import type { StatusMonitor } from './agents/status-monitor.js';
import { createAttemptGuard, type AttemptGuard } from './auth/attempts.js';
import { chooseWsProtocol, requireAuth } from './auth/hook.js';
import { createClusterSide, type ClusterSide } from './cluster/side.js';
import { sameOrigin } from './auth/same-origin.js';
import { createSessions, type Sessions } from './auth/sessions.js';
import { replyToClientError, replyWithError } from './errors.js';
import { agentEventRoutes } from './routes/agent-events.js';
import { alertRoutes } from './routes/alerts.js';
import { agentRoutes } from './routes/agents.js';
import { clusterRoutes } from './routes/cluster.js';
import { frontendRoutes } from './routes/frontend.js';
import { healthRoutes } from './routes/health.js';
import { journalRoutes } from './routes/journal.js';
import { loginCodeRoutes, loginRoutes } from './routes/login.js';
import { meRoutes } from './routes/me.js';
import { messageRoutes } from './routes/messages.js';
import { processRoutes } from './routes/processes.js';
import { projectRoutes } from './routes/projects.js';
import { searchRoutes } from './routes/search.js';
import { sessionRoutes } from './routes/sessions.js';
import { taskRoutes } from './routes/tasks.js';
import { budgetRoutes } from './routes/budgets.js';
import { usageRoutes } from './routes/usage.js';
import { webhookRoutes } from './routes/webhooks.js';
import { wsRoutes } from './routes/ws.js';
import type { Hub } from './ws/hub.js';
import { usageAgentsOf } from './agents/usage-agents.js';
import { createBudgetWatch, createUsageTracker, type BudgetWatch, type UsageTracker } from '../usage/index.js';

export interface AppDeps {
  config: CmuxConfig;
  token: string;
  // What agents' hooks present to report events (state/agent-token); none: only the token.
  agentToken?: string;
  // The dashboard's login codes and sessions; a fresh store when not given.
  sessions?: Sessions;
  // Each client's allowance of wrong tokens and login codes; a fresh one when not given.
  attempts?: AttemptGuard;
  logger: Logger;
  agents: AgentDeps;
  monitor: StatusMonitor;
  hooks: HookStore;
  hub: Hub;
  history: HistoryStore;
  // The cluster as the server started it; none: this host alone (tests that build the app).
  cluster?: ClusterSide;
  // The agents' token usage; one reading the registered agents' logs when not given.
  usage?: UsageTracker;
  // The daily budgets against the usage; one over `usage` when not given.
  budgets?: BudgetWatch;
  // The apps' memory and restarts over the last hour, as the system monitor samples them; none
  // in tests that build the app alone.
  appSamples?: () => AppSamples;
}

const ROUTES = new WeakMap<FastifyInstance, string[]>();

// Every `METHOD url` an app built by buildApp serves (the hostile-input suite checks it has a
// case for each).
export function routesOf(app: FastifyInstance): readonly string[] {
  return ROUTES.get(app) ?? [];
}

// Builds the HTTP app without listening: health in the open scope, every other route behind
// the token. Each route group's zod schemas check its input before a handler runs; every
// refusal, from a schema, a hook, a handler, Fastify or Node's HTTP parser, gets the one
// error body (errors.ts). The body limit, in bytes, is the one size limit of the API.
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, token, logger } = deps;
  const sessions = deps.sessions ?? createSessions();
  const cluster = deps.cluster ?? (await createClusterSide({ ...config, cluster: null }, logger));
  if (!deps.cluster) await cluster.start(createLocalOps({ ...deps, history: () => deps.history }), { agents: () => [], apps: () => ({ apps: [], health: null }) });
  const attempts = deps.attempts ?? createAttemptGuard(logger);
  const app = Fastify({
    logger: false,
    bodyLimit: config.server.bodyLimitBytes,
    // Refused in onRequest below instead, with the one error body.
    return503OnClosing: false,
    clientErrorHandler: replyToClientError,
    frameworkErrors: (error, request, reply) => replyWithError(error, request, reply, logger),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  const routes: string[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
  });

  app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply, logger));
  // First, so its hooks see every upgrade request, refused ones too: it closes their sockets,
  // which nothing else would (a refused WebSocket would hold the server open at close).
  await app.register(websocket, { options: { maxPayload: 64 * 1024, handleProtocols: chooseWsProtocol } });
  let closing = false;
  app.addHook('onRequest', async () => {
    if (closing) throw new CmuxError('CMUX_ERR_NOT_RUNNING', 'the server is stopping: try again once cmux is back');
  });
  // JSON bodies only: a plain-text body is how a cross-site form smuggles JSON in.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', sameOrigin(config));
  // No page of cmux may be framed: another local port's page could otherwise overlay the
  // logged-in dashboard and steer its clicks.
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('x-frame-options', 'DENY').header('content-security-policy', "frame-ancestors 'none'");
  });
  const authenticate = requireAuth(token, sessions, attempts, deps.agentToken);
  // Unknown paths need the token too, so an unauthenticated probe learns nothing of the API.
  app.setNotFoundHandler({ preHandler: authenticate }, async (request) => {
    throw new CmuxError('CMUX_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`);
  });

  await app.register(healthRoutes, { config });
  // Webhooks authenticate themselves (a signature, or the token), so they sit outside the scope.
  await app.register(webhookRoutes, { config, token });
  // The dashboard's files are public (the data is not); a login code or the token buys a session.
  await app.register(frontendRoutes, { config });
  await app.register(loginRoutes, { token, sessions, attempts });
  const usage = deps.usage ?? createUsageTracker(config, usageAgentsOf(deps.agents), deps.logger);
  const budgets = deps.budgets ?? createBudgetWatch(config, usage.rows, deps.logger);
  await app.register(async (scope) => {
    scope.addHook('onRequest', authenticate);
    await scope.register(loginCodeRoutes, { config, sessions });
    await scope.register(sessionRoutes, { sessions });
    await scope.register(processRoutes, { config, samples: deps.appSamples ?? (() => null) });
    await scope.register(agentRoutes, { agents: deps.agents, monitor: deps.monitor, hub: deps.hub, cluster });
    await scope.register(clusterRoutes, { cluster });
    await scope.register(agentEventRoutes, { hooks: deps.hooks, monitor: deps.monitor, agents: deps.agents, history: deps.history, usage });
    await scope.register(messageRoutes, { config, history: deps.history, hub: deps.hub, cluster });
    await scope.register(meRoutes, { agents: deps.agents, monitor: deps.monitor, history: deps.history });
    await scope.register(journalRoutes, { config });
    await scope.register(projectRoutes, { agents: deps.agents });
    await scope.register(taskRoutes, { agents: deps.agents });
    await scope.register(searchRoutes, { agents: deps.agents, history: deps.history });
    await scope.register(alertRoutes, { config, hub: deps.hub });
    await scope.register(usageRoutes, { usage });
    await scope.register(budgetRoutes, { config, budgets });
    await scope.register(wsRoutes, { hub: deps.hub, agents: deps.agents, monitor: deps.monitor, cluster });
  });
  app.addHook('preClose', async () => {
    closing = true;
    deps.hub.closeAll();
  });
  return app;
}
