import { fileVersion } from '../../core/src/fs/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { homePaths } from '../../core/src/paths/index.js';
import type { InterruptMark, TmuxEvent } from '../../core/src/tmux/index.js';
import { agentViews, captureAgents, interruptSigns, recapture, type AgentDeps, type AgentObservation, type AgentView } from '../../agents/index.js';
import type { TeamAgent, TeamDirectory } from '../../registry/directory/index.js';
import { nextAttention, turnInterrupted, type Attention } from '../notify/attention.js';
import type { Notifier } from '../notify/notifier.js';
import type { Hub } from '../ws/hub.js';
import type { HookStore } from './hook-events.js';
import { createLimitWatch } from './limit-watch.js';

// Each second the status is derived again from the screens in memory (a hook report grows
// old, a young agent stops being `starting`); without a stream of the panes' output every pane
// is read too, as the panes of another session are.
const POLL_MS = 1_000;
// How many of a pane's last non-empty lines an overview card shows.
export const PREVIEW_LINES = 6;
// With a stream, every pane is still read this often: an event that was missed is corrected.
const SAFETY_READ_MS = 15_000;
// A pane that printed is read once it has been quiet this long (a redraw comes in pieces, and
// half of one is no status), or after READ_MAX_WAIT_MS of steady output.
const READ_SETTLE_MS = 40;
const READ_MAX_WAIT_MS = 120;

// `attention` says why the agent needs the person (null: it does not). `host`: the host it
// runs on, in a cluster (another host's agent's id carries it too: w1@b). `limitedUntil`: while
// the status is `limited`, when its usage limit resets.
export type AgentSnapshot = AgentView & { statusSince: string; attention: Attention | null; host?: string; limitedUntil?: string };

// Keeps every agent's status in memory for the listing. With the tmux client's stream of the
// session's output, a pane is captured again when it printed (or its program or title changed),
// the windows are listed again when they changed, and everything is read every 15 s in case
// an event was missed; without one, once a second it reads the registry and the windows and
// captures each live pane. Between readings the status is derived again from those screens
// and the latest hook reports, so a hook event shows at once. A change to agents.yaml (a
// spawn, a kill, from the API or the CLI) is read before the next answer, capturing only the
// windows it has not seen. The dashboards hear what changed: agents that appeared,
// disappeared, or changed status (with when the status began, and whether the change needs
// the person, which also goes to the notifier). In a cluster the listing holds the other
// hosts' agents too (their own hosts watch them; see TeamDirectory), and the directory hears
// of every change here.
export function createStatusMonitor(deps: AgentDeps, hooks: HookStore, hub: Hub, logger: Logger, notifier?: Notifier) {
  const registryFile = homePaths(deps.config.home).registry;
  let known = new Map<string, AgentSnapshot>();
  let team: TeamDirectory | undefined;
  // Another host's agent's preview is no part of its listing (frames carry it, as for ours).
  const withTeam = (local: AgentSnapshot[]): AgentSnapshot[] =>
    team?.self ? [...local.map((a) => ({ ...a, host: team!.self! })), ...(team.agents().map(({ preview: _preview, ...a }) => a) as TeamAgent[] as AgentSnapshot[])] : local;
  // Each agent's last lines as the dashboards were last told them; kept when its window goes.
  const previews = new Map<string, string>();
  let observation: AgentObservation | undefined;
  // The windows' interrupt marks, read after `observation`'s screens (see markInterrupted), and
  // per agent the mark it carried when last seen not busy: a different one is an interrupt since.
  let marks: ReadonlyMap<string, InterruptMark> = new Map();
  const seenMarks = new Map<string, string>();
  // agents.yaml as it was when `observation` was read.
  let observedRegistry: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Readings run one at a time, in the order they were asked for.
  let readings: Promise<void> = Promise.resolve();
  let lastFullReading = 0;
  // What the stream said changed since the last reading: panes that printed (by window id),
  // and whether the window list did.
  let printed = new Set<string>();
  let windowsChanged = false;
  let changedTimer: NodeJS.Timeout | undefined;
  let firstChange = 0;
  let stopListening: (() => void) | undefined;
  const limits = createLimitWatch(deps, logger);

  // `all`: capture every live pane again; otherwise only the windows not seen before.
  function read(all: boolean): Promise<void> {
    const reading = readings.then(async () => {
      const version = fileVersion(registryFile);
      if (all) lastFullReading = Date.now();
      const captured = await captureAgents(deps, all ? undefined : observation?.panes);
      // Set together: a listing answered meanwhile must not see these screens with older marks.
      marks = await deps.tmux.interruptMarks();
      observation = captured;
      observedRegistry = version;
    });
    readings = reading.catch(() => undefined);
    return reading;
  }

  // Reads what changed since the last reading: the window list (and the panes new to it) when
  // it changed, and the panes that printed.
  function readChanged(): Promise<void> {
    const reading = readings.then(async () => {
      const panes = printed;
      const listAgain = windowsChanged;
      printed = new Set();
      windowsChanged = false;
      if (!observation) return;
      const version = listAgain ? fileVersion(registryFile) : observedRegistry;
      const unchanged = new Map(observation.panes);
      for (const windowId of panes) unchanged.delete(windowId);
      const captured = listAgain ? await captureAgents(deps, unchanged) : await recapture(deps, observation, panes);
      // An interrupt sets its window's mark before the agent prints that it stopped: marks read
      // after the screens are at least as new as they are.
      marks = await deps.tmux.interruptMarks();
      observation = captured;
      observedRegistry = version;
    });
    readings = reading.catch(() => undefined);
    return reading;
  }

  function readChangedSoon(): void {
    const now = Date.now();
    if (changedTimer) clearTimeout(changedTimer);
    else firstChange = now;
    changedTimer = setTimeout(
      () => {
        changedTimer = undefined;
        readChanged()
          .then(publish)
          .catch((error: unknown) => logger.warn(`agent status reading failed: ${(error as Error).message}`));
      },
      Math.max(0, Math.min(READ_SETTLE_MS, firstChange + READ_MAX_WAIT_MS - now)),
    );
  }

  // The window of an agent's pane, by the pane's id (%N), as the last reading listed them.
  let paneWindows: { of: AgentObservation | undefined; windows: Map<string, string> } = { of: undefined, windows: new Map() };
  function agentWindow(pane: string): string | undefined {
    if (paneWindows.of !== observation) {
      paneWindows = { of: observation, windows: new Map(observation?.windows.flatMap(({ window }) => (window ? [[window.paneId, window.windowId] as const] : []))) };
    }
    return paneWindows.windows.get(pane);
  }

  function hear(event: TmuxEvent): void {
    if (event.type === 'stream') {
      // Back after a gap: what happened meanwhile was not heard.
      if (event.live && timer) lastFullReading = 0;
      return;
    }
    if (event.type === 'windows-changed') windowsChanged = true;
    else {
      const windowId = agentWindow(event.pane);
      // Output of a window that is no agent (the logs window prints all the time) changes nothing.
      if (!windowId) return;
      printed.add(windowId);
      if (event.type === 'pane-changed') windowsChanged = true;
    }
    readChangedSoon();
  }

  // Each second: a full reading when there is no stream (or the last one is 15 s old);
  // otherwise the interrupt marks and the panes no stream shows (another session's) only.
  async function tick(): Promise<void> {
    const streamed = deps.tmux.streamedSession;
    if (streamed === null || Date.now() - lastFullReading >= SAFETY_READ_MS) {
      await read(true);
    } else {
      for (const { window } of observation?.windows ?? []) if (window && !window.paneDead && window.session !== streamed) printed.add(window.windowId);
      // Even when nothing printed: the interrupt marks are no event of the stream, and an
      // interrupt pressed into a quiet agent must be seen as spent before its next turn.
      await readChanged();
    }
    publish();
  }

  // The agents as they stand now; what changed since the dashboards were last told is sent.
  function publish(): AgentSnapshot[] {
    if (!observation) return [];
    const now = Date.now();
    const next = new Map<string, AgentSnapshot>();
    const signs = interruptSigns(deps, observation, marks);
    limits.look(
      observation.windows.flatMap(({ agent, window }) =>
        window ? [{ id: agent.id, kind: deps.kinds.forCommand(agent.command), env: { ...deps.config.agents.env, ...agent.env }, windowId: window.windowId, pane: observation!.panes.get(window.windowId) ?? null }] : [],
      ),
      now,
    );
    for (const seen of agentViews(deps, observation, hooks.reports, now, marks).agents) {
      // A usage limit outranks what the screen shows (a running agent reads `limited` until the reset).
      const limit = seen.status === 'missing' || seen.status === 'exited' ? null : limits.of(seen.id);
      const view: AgentView & { limitedUntil?: string } = limit ? { ...seen, status: 'limited', limitedUntil: limit.until } : seen;
      const before = known.get(view.id);
      const changed = !before || before.status !== view.status;
      const since = new Date(now).toISOString();
      const sign = signs.get(view.id);
      const interrupted = turnInterrupted(sign, seenMarks.get(view.id));
      // An interrupt counts for the turn under way: one pressed while the agent was not busy is spent.
      if (sign && (!before || view.status !== 'busy')) seenMarks.set(view.id, sign.mark);
      const attention = before ? nextAttention(before.attention, before.status, view.status, since, interrupted) : null;
      const snapshot: AgentSnapshot = { ...view, statusSince: changed ? since : before.statusSince, attention };
      next.set(view.id, snapshot);
      if (!before) hub.broadcast('agent_created', snapshot);
      else if (changed) {
        hub.broadcast('agent_status', { id: view.id, status: view.status, previous: before.status, since: snapshot.statusSince, attention, ...(snapshot.limitedUntil ? { limitedUntil: snapshot.limitedUntil } : {}) });
        if (attention && attention !== before.attention) notifier?.notify({ agent: view.id, event: attention.event, status: view.status, previous: before.status });
      }
    }
    for (const { agent, window } of observation.windows) {
      const pane = window ? observation.panes.get(window.windowId) : null;
      if (pane === null || pane === undefined) continue;
      const preview = lastLines(pane);
      if (previews.get(agent.id) === preview) continue;
      previews.set(agent.id, preview);
      hub.broadcast('agent_preview', { id: agent.id, preview });
    }
    for (const id of known.keys()) {
      if (next.has(id)) continue;
      seenMarks.delete(id);
      previews.delete(id);
      hub.broadcast('agent_removed', { id });
    }
    known = next;
    team?.changed();
    return [...next.values()];
  }

  return {
    // A fresh reading of every pane: one already under way is awaited, then a new one is
    // taken, so a change made just before the call (a spawn, an answer) is always in it.
    async refresh(): Promise<AgentSnapshot[]> {
      await read(true);
      return withTeam(publish());
    },
    // The listing from memory; read first only when agents.yaml changed since the last reading
    // (or there was none), so an agent spawned or killed a moment ago is in it as it is.
    async current(): Promise<AgentSnapshot[]> {
      if (!observation || fileVersion(registryFile) !== observedRegistry) await read(false);
      return withTeam(publish());
    },
    // This host's own agents as last published (what it tells the other hosts).
    local(): AgentSnapshot[] {
      return [...known.values()];
    },
    // The cluster's directory: its agents join the listing, and it hears of every change here.
    join(directory: TeamDirectory): void {
      team = directory;
    },
    // A hook reported a status: tell the dashboards now rather than at the next reading.
    publish(): void {
      publish();
    },
    // This host's agents' last lines (frames carry the changes).
    get previews(): ReadonlyMap<string, string> {
      return previews;
    },
    // Every agent's last lines, the other hosts' too, for a dashboard that just connected.
    allPreviews(): Array<[string, string]> {
      return [...previews, ...(team?.agents() ?? []).flatMap((a): Array<[string, string]> => (a.preview === undefined ? [] : [[a.id, a.preview]]))];
    },
    // Set while there is no registry and windows are listed by the old convention.
    get warning(): string | undefined {
      return observation?.warning;
    },
    start(): void {
      stopListening = deps.tmux.onEvent(hear);
      const next = () => {
        tick()
          .catch((error: unknown) => logger.warn(`agent status poll failed: ${(error as Error).message}`))
          .finally(() => {
            if (timer) timer = setTimeout(next, POLL_MS);
          });
      };
      timer = setTimeout(next, 0);
    },
    async stop(): Promise<void> {
      stopListening?.();
      clearTimeout(timer);
      clearTimeout(changedTimer);
      timer = undefined;
      changedTimer = undefined;
      await readings;
      // After the last reading, whose screens may still begin a limit and its writes.
      await limits.stop();
    },
  };
}

export type StatusMonitor = ReturnType<typeof createStatusMonitor>;

// A card's preview: the screen's last non-empty lines.
function lastLines(pane: string): string {
  return pane
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-PREVIEW_LINES)
    .join('\n');
}
