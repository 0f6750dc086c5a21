import { existsSync, renameSync } from 'node:fs';
import { basename } from 'node:path';
import type { StartOptions } from 'pm2';
import { assertSafeBind, serverUrl, type CmuxConfig } from '../../core/src/config/index.js';
import { buildEcosystem } from '../../core/src/ecosystem/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { buildDashboard, isDashboardStale } from '../../core/src/frontend/index.js';
import { appendToHomeFile } from '../../core/src/fs/index.js';
import { assertHomeTree, ensureOwnHome, homePaths } from '../../core/src/paths/index.js';
import { appHome, pm2Home, isCmuxApp, withPm2 } from '../../core/src/pm2/index.js';
import { canBind, findPortHolders, portInUseError, waitUntil } from '../../core/src/proc/index.js';
import { dashboardLoginUrl, getFromServer } from '../../core/src/server-client/index.js';
import type { AgentDeps } from '../../agents/index.js';
import { checkMembership, startHub } from './cluster.js';
import { fetchHealth } from './health.js';
import { resolveAgentCommand, SUPERVISOR } from '../../agents/index.js';

export interface StartResult {
  alreadyRunning: boolean;
  url: string;
  started: string[];
}

// Starts what is not running: builds the dashboard if its sources changed, then the four PM2
// apps; waits until the server answers health and has brought the team up (the session, the
// supervisor and the agents of the last stop), and returns a dashboard URL with a one-time
// login code (the token itself never goes into a URL). `fresh`: the last team is archived
// first, so only the supervisor starts.
export async function startCmux(deps: AgentDeps, report: (line: string) => void, opts: { fresh?: boolean } = {}): Promise<StartResult> {
  const { config } = deps;
  const { tmux } = deps;
  const { apps } = buildEcosystem(config);
  await preflight(deps, report);
  const paths = homePaths(config.home);

  // PM2 appends to log files that exist and keeps their mode: logs stay owner-only.
  for (const app of apps) for (const file of [app.out_file, app.error_file]) appendToHomeFile(config.home, file, '');
  const online = await onlineApps(config.home);
  const missing = apps.filter((app) => !online.has(app.name));
  if (opts.fresh) {
    if (online.size > 0 || (await tmux.hasServer())) {
      throw new CmuxError('CMUX_ERR_USAGE', 'cmux is running: `cmux stop` first, then `cmux start --fresh`');
    }
    if (existsSync(paths.registry)) {
      const archived = `${paths.registry}.archived-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(paths.registry, archived);
      report(`archived the last team's entries in ${archived}`);
    }
  }
  if (!online.has('cmux-server')) await assertPortFree(config);
  // A member first serves its hub (when it is the hub's host) and has the hub check its
  // credentials: a refused member never starts, a hub that does not answer only delays the link.
  if (config.cluster) {
    if (config.cluster.hub) await startHub(config, config.cluster, report);
    await checkMembership(config, config.cluster, report);
  }

  if (isDashboardStale(config.root, config.frontend.dist)) {
    report('building the dashboard…');
    const build = await buildDashboard(config.root, config.frontend.dist);
    if (!build.ok) {
      report(`the dashboard did not build; the API runs and the healer will retry. Last lines:\n${build.output.trim().split('\n').slice(-8).join('\n')}`);
    }
  }

  if (missing.length > 0) {
    await withPm2(
      async (pm2) => {
        const known = await pm2.list();
        for (const app of missing) {
          // An app PM2 still knows but that is not online (stopped, errored) is replaced.
          if (known.some((p) => isCmuxApp(p, app.name, config.home))) await pm2.delete(app.name);
          await pm2.start(app as unknown as StartOptions);
          report(`started ${app.name}`);
        }
      },
      { spawnDaemon: true },
    );
  }

  const healthy = await waitUntil(async () => (await fetchHealth(config, 1_000)) !== null, config.processes.readyTimeoutMs);
  if (!healthy) {
    throw new CmuxError(
      'CMUX_ERR_START_FAILED',
      `cmux-server did not answer ${serverUrl(config)}/health within ${config.processes.readyTimeoutMs} ms: see \`cmux logs cmux-server\`, then \`cmux stop\``,
    );
  }
  for (const { program, install } of resolveAgentCommand(config).missing) {
    report(`${program} is not on PATH: agents run the bundled demo agent (${install}, or set CMUX_AGENT_COMMAND)`);
  }
  await awaitSupervisor(config, report);
  return {
    alreadyRunning: missing.length === 0,
    url: await openDashboardUrl(config),
    started: missing.map((app) => app.name),
  };
}

// What start checks before PM2 or tmux runs anything (#25), so that what would make an app
// crash-loop (and start end in a generic timeout) is one refusal naming the key or path and
// what to do: the bind rule, the bundles, tmux, CMUX_HOME and the folders above it, and what
// CMUX_HOME holds. The port is checked once PM2 says whether the server runs already.
async function preflight(deps: AgentDeps, report: (line: string) => void): Promise<void> {
  const { config } = deps;
  assertSafeBind(config);
  const unbuilt = buildEcosystem(config).apps.find((app) => !existsSync(app.script));
  if (unbuilt) throw new CmuxError('CMUX_ERR_START_FAILED', `${unbuilt.name} is not built (${unbuilt.script} is missing): run \`npm run build\` in ${config.root}`);
  await deps.tmux.version();
  if (ensureOwnHome(config.home) === 'tightened') report(`made ${config.home} private to you (mode 0700)`);
  assertHomeTree(config);
}

// cmux-server brings the team up (the session, the supervisor, the agents of the last stop);
// start waits until the supervisor shows its prompt and says who came back.
async function awaitSupervisor(config: CmuxConfig, report: (line: string) => void): Promise<void> {
  let agents: Array<{ id: string; status: string }> = [];
  const ready = await waitUntil(async () => {
    agents = (await getFromServer<Array<{ id: string; status: string }>>(config, '/api/agents', 5_000)) ?? [];
    return ['idle', 'busy', 'waiting'].includes(agents.find((a) => a.id === SUPERVISOR)?.status ?? '');
  }, config.agents.readyTimeoutMs + config.processes.readyTimeoutMs);
  if (!ready) {
    throw new CmuxError(
      'CMUX_ERR_START_FAILED',
      `the supervisor did not show its prompt (status ${agents.find((a) => a.id === SUPERVISOR)?.status ?? 'not registered'}): see \`cmux terminal supervisor\` and \`cmux logs cmux-server\``,
    );
  }
  report('the supervisor is ready');
  const others = agents.filter((a) => a.id !== SUPERVISOR);
  if (others.length > 0) report(`agents: ${others.map((a) => `${a.id} (${a.status})`).join(', ')}`);
}

// A one-time dashboard URL from the running server.
export async function openDashboardUrl(config: CmuxConfig): Promise<string> {
  const url = await dashboardLoginUrl(config);
  if (!url) throw new CmuxError('CMUX_ERR_NOT_RUNNING', `cmux-server at ${serverUrl(config)} did not give a login code: is cmux running (\`cmux status\`)?`);
  return url;
}

// The names of this instance's apps that PM2 runs. A PM2 daemon that runs another cmux
// instance's apps cannot take this one's (PM2 names are fixed): that is an error.
async function onlineApps(home: string): Promise<Set<string>> {
  const list = (await withPm2((pm2) => pm2.list(), { spawnDaemon: false })) ?? [];
  const other = list.find((p) => isCmuxApp(p) && appHome(p) !== home);
  if (other) {
    throw new CmuxError(
      'CMUX_ERR_START_FAILED',
      `this PM2 daemon (${pm2Home()}) already runs cmux for CMUX_HOME ${appHome(other)}: give this instance a PM2_HOME of its own, e.g. PM2_HOME=~/.pm2-${basename(home)} cmux start`,
    );
  }
  return new Set(list.filter((p) => isCmuxApp(p, undefined, home) && p.pm2_env?.status === 'online').map((p) => p.name ?? ''));
}

async function assertPortFree(config: CmuxConfig): Promise<void> {
  const { host, port } = config.server;
  const holders = await findPortHolders(port, config.home);
  if (holders.length > 0 || !(await canBind(host, port))) throw portInUseError(port, host, holders);
}
