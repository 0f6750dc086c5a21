import { join } from 'node:path';
import { raiseAlert } from '../core/src/alerts/index.js';
import { appEnvironment } from '../core/src/ecosystem/index.js';
import { listAgentWindows, relaunchAgentWindow, type AgentWindow, type RegisteredAgent } from '../registry/index.js';
import { archivePane } from './archive-pane.js';
import type { AgentDeps } from './deps.js';
import { CMUX_SPAWNER, createAgent, launchFor, startAgent, SUPERVISOR, windowEnv } from './spawn.js';

// The window that holds the cmux session open and shows the apps' logs to whoever attaches.
const CONTROL_WINDOW = 'cmux';

// The tmux session with its control window; true when it had to be made.
async function ensureSession(deps: AgentDeps): Promise<boolean> {
  const { config, tmux } = deps;
  if (await tmux.hasSession(config.tmux.session)) return false;
  await tmux.newSession({
    session: config.tmux.session,
    name: CONTROL_WINDOW,
    command: [process.execPath, join(config.root, 'scripts', 'cmux.mjs'), 'logs', '--follow'],
    cwd: config.root,
    env: appEnvironment(config),
  });
  return true;
}

// Whether a registered agent without a running window should come back by itself: it was
// running when cmux stopped (`stopped`), or the tmux server it lived on went away (a crash, a
// reboot). One whose window was closed on a server that still runs stays `missing`: someone
// closed it.
function needsRestore({ agent, window }: AgentWindow, server: string | null): boolean {
  if (window && !window.paneDead) return false;
  if (agent.state === 'stopped') return true;
  return agent.state === 'running' && server !== null && agent.server !== undefined && agent.server !== server;
}

// Opens a new window for an agent that is not running, resuming its program's session where
// its kind can (Claude Code's --resume with the session id its hook reported); a dead pane's
// screen is archived first. Dialogs on the way up are answered in the background.
export async function relaunchAgent(deps: AgentDeps, { agent, window }: AgentWindow): Promise<RegisteredAgent> {
  if (window) {
    await archivePane(deps, agent.id, window.windowId).catch((error: unknown) => deps.logger.warn(`could not archive the last screen of ${agent.id}: ${(error as Error).message}`));
    await deps.tmux.killWindow(window.windowId).catch(() => undefined);
  }
  const relaunched = await relaunchAgentWindow(deps, agent.id, {
    launch: launchFor(deps, agent.command, agent.sessionId ?? null),
    env: windowEnv(deps, deps.kinds.forCommand(agent.command), agent.name, agent.env ?? {}),
  });
  startAgent(deps, relaunched).catch((error: unknown) => deps.logger.warn(`${agent.id} came back but did not show its prompt: ${(error as Error).message}`));
  return relaunched;
}

// Windows that carry an agent's tag while no entry names the agent: cmux was killed between
// opening an agent's window and registering it. Such a supervisor window would hold the name
// and keep every new supervisor from starting: its screen is archived and it goes.
async function retireOrphans(deps: AgentDeps, id: string): Promise<void> {
  const orphans = (await deps.tmux.listWindows()).filter((w) => w.session === deps.config.tmux.session && w.agentTag === id);
  for (const orphan of orphans) {
    deps.logger.warn(`closing window ${orphan.windowId} (${orphan.name}): it carries ${id}'s tag, but no entry names it`);
    await archivePane(deps, id, orphan.windowId).catch((error: unknown) => deps.logger.warn(`could not archive the screen of ${orphan.windowId}: ${(error as Error).message}`));
    await deps.tmux.killWindow(orphan.windowId).catch(() => undefined);
  }
}

export interface TeamReport {
  sessionCreated: boolean;
  supervisor: 'running' | 'started' | 'restored';
  restored: string[];
}

// Brings the team up: the session, every agent that was running at the last stop (or whose
// tmux server went away), and the supervisor — started afresh when it was never registered.
export async function bringUpTeam(deps: AgentDeps): Promise<TeamReport> {
  const sessionCreated = await ensureSession(deps);
  const server = (await deps.tmux.listWindows()).find((w) => w.session === deps.config.tmux.session)?.server ?? null;
  const { agents } = await listAgentWindows(deps);
  const restored: string[] = [];
  let supervisor: TeamReport['supervisor'] = 'running';
  for (const entry of agents) {
    const isSupervisor = entry.agent.id === SUPERVISOR;
    const dead = entry.window === null || entry.window.paneDead;
    if (!(needsRestore(entry, server) || (isSupervisor && dead))) continue;
    try {
      await relaunchAgent(deps, entry);
      if (isSupervisor) supervisor = 'restored';
      else restored.push(entry.agent.id);
    } catch (error) {
      deps.logger.error(`could not bring ${entry.agent.id} back: ${(error as Error).message}`);
      if (isSupervisor) throw error;
    }
  }
  if (!agents.some((a) => a.agent.id === SUPERVISOR)) {
    await retireOrphans(deps, SUPERVISOR);
    const agent = await createAgent(deps, { name: SUPERVISOR, role: SUPERVISOR, createdBy: CMUX_SPAWNER });
    const role = join(deps.config.root, 'config', 'roles', 'supervisor.md');
    startAgent(deps, agent, `Read your role instructions in ${role} and follow them. Then wait for messages.`).catch((error: unknown) =>
      deps.logger.error(`the supervisor did not start: ${(error as Error).message}`),
    );
    supervisor = 'started';
  }
  return { sessionCreated, supervisor, restored };
}

const CHECK_MS = 2_000;
// A supervisor that dies again this soon after coming back counts as dying repeatedly.
const QUICK_DEATH_MS = 60_000;
const BACKOFF_MS = [0, 2_000, 4_000, 8_000, 16_000, 30_000, 60_000];
const ALERT_AFTER = 3;

// cmux-server's job that "the team is up": at start it brings the team up, then checks every
// 2 s that the supervisor runs and brings it back when it does not — at once the first time,
// then with growing pauses when it keeps dying, and with one alert when it dies repeatedly.
export function createTeamKeeper(deps: AgentDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let deaths = 0;
  let lastRevival = 0;
  let counted = false;
  let alerted = false;
  let starting: Promise<TeamReport> | undefined;

  async function check(): Promise<void> {
    await starting?.catch(() => undefined);
    const { agents } = await listAgentWindows(deps);
    const entry = agents.find((a) => a.agent.id === SUPERVISOR);
    if (entry && entry.window && !entry.window.paneDead) {
      counted = false;
      return;
    }
    // One death per outage, however many checks it lasts.
    if (!counted) deaths = Date.now() - lastRevival < QUICK_DEATH_MS ? deaths + 1 : 1;
    counted = true;
    const wait = BACKOFF_MS[Math.min(deaths - 1, BACKOFF_MS.length - 1)]!;
    if (Date.now() - lastRevival < wait) return;
    if (deaths >= ALERT_AFTER && !alerted) {
      alerted = true;
      await raiseAlert(deps.config, {
        source: 'server',
        kind: 'supervisor-dying',
        title: `the supervisor keeps dying (${deaths} times within a minute of coming back)`,
        count: deaths,
        excerpt: 'cmux brings it back with growing pauses (up to a minute); its old screens are in the journal attachments',
        details: `The supervisor's window died ${deaths} times, each within ${QUICK_DEATH_MS / 1000} s of being brought back. Look at its last screen (journal attachments named supervisor-pane) and at \`cmux doctor\`.`,
      }).catch((error: unknown) => deps.logger.error(`could not raise the supervisor alert: ${(error as Error).message}`));
    }
    deps.logger.warn(`the supervisor is not running; bringing it back (time ${deaths} in a row)`);
    lastRevival = Date.now();
    await bringUpTeam(deps);
  }

  const tick = () => {
    running = check()
      .catch((error: unknown) => deps.logger.error(`keeping the supervisor up failed: ${(error as Error).message}`))
      .finally(() => {
        running = undefined;
        if (timer) timer = setTimeout(tick, CHECK_MS);
      });
  };

  return {
    async start(): Promise<TeamReport> {
      // The checks run from here on even when this first bring-up fails: they retry it.
      timer = setTimeout(tick, CHECK_MS);
      starting = bringUpTeam(deps);
      const report = await starting;
      deps.logger.info(`the team is up: supervisor ${report.supervisor}${report.restored.length ? `; brought back ${report.restored.join(', ')}` : ''}`);
      lastRevival = report.supervisor === 'running' ? 0 : Date.now();
      return report;
    },
    async stop(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
