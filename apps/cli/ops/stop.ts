import { archivePane } from '../../agents/archive-pane.js';
import { markTeamStopped } from '../../registry/index.js';
import { lstatSync, rmSync } from 'node:fs';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { HUB_APP_NAME } from '../../core/src/ecosystem/index.js';
import { daemonPid, appHome, isCmuxApp, killDaemon, withPm2 } from '../../core/src/pm2/index.js';
import { descendantsOf, findPortHolders, isAlive, terminateAll, waitForExit } from '../../core/src/proc/index.js';
import { tmuxClientFromConfig } from '../../core/src/tmux/index.js';

// Headroom over PM2's kill_timeout for everything stop does besides waiting on the apps.
const STOP_SLACK_MS = 5_000;
const MIN_PORT_GRACE_MS = 500;
const HANGUP_WAIT_MS = 1_000;
// How long the capture of one agent's pane may take before its archive is given up.
const ARCHIVE_TIMEOUT_MS = 3_000;

export interface StopResult {
  // One line per thing stopped; empty when nothing ran.
  stopped: string[];
  // Things seen but deliberately left alone (foreign listeners, a shared PM2 daemon).
  left: string[];
}

// Stops everything this cmux started, in bounded time (kill_timeout + 5 s): the PM2 apps
// (graceful, then forced by PM2), any leftover listener on the port that is this cmux's, the
// cmux tmux server and whatever its windows' programs started that outlives it, and the PM2
// daemon when it manages nothing else. Idempotent.
export async function stopCmux(config: CmuxConfig, report: (line: string) => void = () => undefined): Promise<StopResult> {
  const deadline = Date.now() + config.processes.killTimeoutMs + STOP_SLACK_MS;
  const result: StopResult = { stopped: [], left: [] };
  const stopped = (line: string) => {
    result.stopped.push(line);
    report(line);
  };
  const left = (line: string) => {
    result.left.push(line);
    report(line);
  };

  const remaining = await withPm2(
    async (pm2) => {
      const all = await pm2.list();
      const ours = all.filter((p) => isCmuxApp(p, undefined, config.home));
      for (const home of new Set(all.filter((p) => isCmuxApp(p) && !ours.includes(p)).map(appHome))) {
        left(`left the cmux apps of another instance (CMUX_HOME ${home}) running`);
      }
      await Promise.all(
        ours.map(async (p) => {
          await pm2.delete(p.name!);
          const hub = p.name === HUB_APP_NAME ? ': the other hosts of the cluster keep delivering their own mail and catch up when it is back' : '';
          stopped(`stopped ${p.name}${p.pid ? ` (pid ${p.pid})` : ''}${hub}`);
        }),
      );
      return (await pm2.list()).length;
    },
    { spawnDaemon: false },
  );

  // How long a SIGTERM may take before SIGKILL, within what is left of the deadline.
  const graceMs = () => Math.max(MIN_PORT_GRACE_MS, Math.min(config.processes.stopGraceMs, deadline - Date.now() - 3_000));
  // With the apps gone, what is left are three things that do not depend on one another: a
  // leftover listener on the port, the tmux server with what its windows started, and the PM2
  // daemon. They end side by side, so stop waits for the slowest, not for their sum.
  // A leftover server is alive until it is reaped, and its team keeper may start the tmux
  // session again after stopTeam ended it: stopTeam looks once more when one was reaped.
  const reaped = reapPortHolders(config, graceMs, stopped, left);
  const ended = await Promise.allSettled([
    reaped,
    stopTeam(config, graceMs, stopped, left, reaped.catch(() => true)),
    (async () => {
      if (remaining === 0) {
        const pid = await killDaemon(Math.max(1_000, deadline - Date.now()));
        if (pid !== null) stopped(`stopped the PM2 daemon (pid ${pid})`);
      } else if (remaining !== null) {
        left(`left the PM2 daemon (pid ${daemonPid() ?? '?'}) running: it manages ${remaining} other app(s)`);
      }
    })(),
  ]);
  const failed = ended.find((e) => e.status === 'rejected');
  if (failed) throw failed.reason;

  if (result.stopped.length === 0) report('nothing to stop');
  return result;
}

type Say = (line: string) => void;

// A listener on the port that is this cmux's (a server PM2 lost track of) gets SIGTERM, then
// SIGKILL; a foreign one is named and left alone. True when there was one of cmux's.
async function reapPortHolders(config: CmuxConfig, graceMs: () => number, stopped: Say, left: Say): Promise<boolean> {
  const { port } = config.server;
  const holders = await findPortHolders(port, config.home);
  for (const holder of holders.filter((h) => !h.ours)) {
    left(`left pid ${holder.pid} (${holder.command}) listening on port ${port}: it is not cmux's`);
  }
  const ours = holders.filter((h) => h.ours).map((h) => h.pid);
  for (const outcome of await terminateAll(ours, graceMs())) {
    const how = outcome.result === 'killed' ? 'SIGKILL after SIGTERM was ignored' : 'SIGTERM';
    if (outcome.result === 'survived') left(`pid ${outcome.pid} still listens on port ${port} after SIGKILL`);
    else if (outcome.result !== 'gone') stopped(`stopped pid ${outcome.pid} listening on port ${port} (${how})`);
  }
  return ours.length > 0;
}

// Records the team for the next start, archives each agent's terminal, ends the tmux server
// and then whatever its windows started that outlives it.
async function stopTeam(config: CmuxConfig, graceMs: () => number, stopped: Say, left: Say, reaped: Promise<boolean>): Promise<void> {
  const tmux = tmuxClientFromConfig(config);
  // The processes of the panes are taken before the server goes: a program that ignores the
  // hangup is reparented away from its pane once the pane is gone. Read while the team is
  // recorded and archived, which does not change them.
  const processes = tmux
    .listWindows()
    .catch(() => [])
    .then(async (windows) => {
      const panes = windows.map((w) => w.panePid).filter((pid) => pid > 0);
      return [...panes, ...(await descendantsOf(panes))];
    });
  // The team is recorded before its windows go, so the next start brings it back.
  const kept = await markTeamStopped({ config, tmux }).catch((error: unknown) => {
    left(`could not record the running agents for the next start: ${(error as Error).message}`);
    return [];
  });
  if (kept.length > 0) stopped(`kept ${kept.length} agent(s) to bring back at the next start: ${kept.map((a) => a.id).join(', ')}`);
  // Their screens go with the tmux server: archived first (all at once, each capture bounded),
  // so the dashboard still shows each one's terminal. One that cannot be captured is said, not waited on.
  const archived = await Promise.all(
    kept.map(({ id, windowId }) =>
      archivePane({ config, tmux }, id, windowId, ARCHIVE_TIMEOUT_MS).then(
        () => id,
        (error: unknown) => {
          left(`could not archive the terminal of ${id}: ${(error as Error).message}`);
          return null;
        },
      ),
    ),
  );
  const done = archived.filter((id) => id !== null);
  if (done.length > 0) stopped(`archived the terminals of ${done.length} agent(s) in the journal: ${done.join(', ')}`);
  const agentProcesses = await processes;
  // true: killed; false: no server ran; null: tmux failed, and whether a server is left is asked.
  const killed = await tmux.killServer().catch(() => null);
  if (killed) stopped(`stopped the tmux server (${describeSocket(config)})`);
  if ((await reaped) && (await tmux.killServer().catch(() => null))) stopped(`stopped the tmux server a leftover server had started again (${describeSocket(config)})`);
  if (killed !== null || !(await tmux.hasServer().catch(() => true))) removeStaleSocket(config);
  // Most end with the hangup of their pane; the rest get SIGTERM, then SIGKILL.
  await waitForExit(agentProcesses, HANGUP_WAIT_MS);
  const outlived = agentProcesses.filter((pid) => isAlive(pid));
  for (const outcome of (await terminateAll(outlived, graceMs())).filter((o) => o.result !== 'gone')) {
    if (outcome.result === 'survived') left(`pid ${outcome.pid}, started in an agent window, survived SIGKILL`);
    else stopped(`stopped pid ${outcome.pid}, started in an agent window, which outlived the tmux server`);
  }
}

function describeSocket(config: CmuxConfig): string {
  const { socket } = config.tmux;
  return socket.kind === 'name' ? `socket name ${socket.name}` : `socket ${socket.path}`;
}

// tmux leaves its socket file behind after kill-server; a -S path is ours to tidy.
function removeStaleSocket(config: CmuxConfig): void {
  const { socket } = config.tmux;
  if (socket.kind !== 'path') return;
  try {
    if (lstatSync(socket.path).isSocket()) rmSync(socket.path);
  } catch {
    // Already gone.
  }
}
