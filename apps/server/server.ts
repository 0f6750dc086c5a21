import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { assertSafeBind, type CmuxConfig } from '../core/src/config/index.js';
import { openHistory, type HistoryStore } from '../core/src/history/index.js';
import { once, scheduleEvery, type AppHandle, type Schedule } from '../core/src/lifecycle/index.js';
import type { Logger } from '../core/src/log/index.js';
import { findPortHolders, portInUseError } from '../core/src/proc/index.js';
import { createAgentDeps, createTeamKeeper } from '../agents/index.js';
import { createProjectKeeper } from '../projects/keeper.js';
import { ensureProjectSupervisors } from '../projects/supervisors.js';
import { createHookStore } from './agents/hook-events.js';
import { createLocalOps } from './agents/ops.js';
import { createStatusMonitor } from './agents/status-monitor.js';
import { createSystemMonitor } from './agents/system-monitor.js';
import { usageAgentsOf } from './agents/usage-agents.js';
import { createBudgetWatch, createUsageTracker } from '../usage/index.js';
import { buildApp } from './app.js';
import { createClusterSide, type ClusterSide } from './cluster/side.js';
import { fileSessionStore } from './auth/session-store.js';
import { createSessions } from './auth/sessions.js';
import { ensureAgentToken } from '../core/src/agents/index.js';
import { ensureToken } from './auth/token.js';
import { createNotifier } from './notify/notifier.js';
import { createHub } from './ws/hub.js';
import type { DirectoryChange } from '../registry/directory/index.js';
import { sharedPreviews } from './cluster/previews.js';

// How long requests under way at a stop may take to finish before their connections are cut.
const CLOSE_GRACE_MS = 1_000;

// Counts the requests being answered, so a stop knows when none is under way.
function trackRequests(server: Server) {
  let underWay = 0;
  let drained: (() => void) | undefined;
  server.on('request', (_request, response) => {
    underWay += 1;
    response.once('close', () => {
      underWay -= 1;
      if (underWay === 0) drained?.();
    });
  });
  return {
    idle: (): Promise<void> => (underWay === 0 ? Promise.resolve() : new Promise((resolve) => (drained = resolve))),
  };
}

// Stops listening and ends every connection once no request is under way (or after the
// grace). Node ends idle keep-alive connections by itself, but not one that never sent a
// request (a raw TCP client): it would hold the stop until PM2's kill_timeout. The
// dashboards' WebSockets are closed by the app's preClose hook.
async function closeConnections(app: FastifyInstance, requests: ReturnType<typeof trackRequests>): Promise<void> {
  const closing = app.close();
  await Promise.race([requests.idle(), sleep(CLOSE_GRACE_MS, undefined, { ref: false })]);
  app.server.closeAllConnections();
  await closing;
}

// The cmux-server app: refuses an unsafe bind, makes sure a token exists, serves the API and
// watches the agents' status.
export function createServer(config: CmuxConfig, logger: Logger): AppHandle {
  let app: FastifyInstance | undefined;
  let history: HistoryStore | undefined;
  let requests: ReturnType<typeof trackRequests> | undefined;
  let cluster: ClusterSide | undefined;
  const hub = createHub();
  const sessions = createSessions(Date.now, fileSessionStore(config.home));
  const hooks = createHookStore();
  const agents = createAgentDeps(config, logger, { control: true });
  const notifier = createNotifier(config, logger);
  const monitor = createStatusMonitor(agents, hooks, hub, logger, notifier);
  const system = createSystemMonitor(config, hub, logger);
  const team = createTeamKeeper(agents);
  const previewsOf = sharedPreviews(() => monitor.previews);
  const projects = createProjectKeeper(agents);
  const usage = createUsageTracker(config, usageAgentsOf(agents), logger);
  const budgets = createBudgetWatch(config, usage.rows, logger);
  let usageReads: Schedule | undefined;
  return {
    async start() {
      const { host, port } = config.server;
      assertSafeBind(config);
      const token = ensureToken(config);
      history = openHistory(config.home);
      const agentToken = ensureAgentToken(config);
      cluster = await createClusterSide(config, logger);
      monitor.join(cluster.directory);
      cluster.directory.onChange((change) => broadcastTeamChange(hub, change));
      await cluster.start(createLocalOps({ agents, monitor, hooks, hub, history: () => history! }), {
        agents: () => {
          const local = monitor.local();
          const previews = previewsOf(local.map((a) => a.id));
          return local.map(({ host: _host, ...agent }) => ({ ...agent, preview: previews.get(agent.id) }));
        },
        apps: () => system.latest(),
      });
      app = await buildApp({ config, token, agentToken, sessions, logger, agents, monitor, hooks, hub, history, cluster, usage, budgets, appSamples: system.samples });
      requests = trackRequests(app.server);
      try {
        await app.listen({ host, port });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUseError(port, host, await findPortHolders(port, config.home));
        throw error;
      }
      monitor.start();
      system.start();
      // Read often enough that the logs of an agent killed soon after it began are found
      // while it still runs (the ledger remembers it from then on).
      // Each read is checked against the budgets: an alert at 80 % and at 100 %.
      usageReads = scheduleEvery('usage reading', config.usage.readIntervalSeconds, async () => {
        await usage.refresh();
        await budgets.check();
      }, logger);
      // The team comes up however cmux was started (npm start, pm2 start, pm2 resurrect).
      await team.start().catch((error: unknown) => logger.error(`bringing the team up failed: ${(error as Error).message}`));
      await ensureProjectSupervisors(agents).catch((error: unknown) => logger.error(`starting the projects' supervisors failed: ${(error as Error).message}`));
      projects.start();
      logger.info(`listening on http://${host}:${port}`);
    },
    stop: once(async () => {
      await team.stop();
      await projects.stop();
      system.stop();
      await usageReads?.stop();
      await monitor.stop();
      notifier.stop();
      await cluster?.stop();
      if (app && requests) await closeConnections(app, requests);
      await agents.tmux.close();
      history?.close();
    }),
  };
}

// The dashboards hear of the other hosts' agents as of this host's own, their host named.
function broadcastTeamChange(hub: ReturnType<typeof createHub>, change: DirectoryChange): void {
  if (change.kind === 'host') return hub.broadcast('host_status', change.host);
  if (change.kind === 'agent_removed') return hub.broadcast('agent_removed', { id: change.id });
  // The preview goes in frames of its own, as this host's own agents' do.
  const { preview, ...agent } = change.agent;
  const { previous } = change;
  if (!previous) hub.broadcast('agent_created', agent);
  else if (previous.status !== agent.status) {
    hub.broadcast('agent_status', { id: agent.id, host: agent.host, status: agent.status, previous: previous.status, since: agent.statusSince, attention: agent.attention });
  }
  if (preview !== undefined && preview !== previous?.preview) hub.broadcast('agent_preview', { id: agent.id, preview });
}
