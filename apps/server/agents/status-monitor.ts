import { lstatSync } from 'node:fs';
import type { Logger } from '../../core/src/log/index.js';
import { homePaths } from '../../core/src/paths/index.js';
import { agentViews, captureAgents, interruptSigns, type AgentDeps, type AgentObservation, type AgentView } from '../../agents/index.js';
import type { TeamAgent, TeamDirectory } from '../../registry/directory/index.js';
import { nextAttention, turnInterrupted, type Attention } from '../notify/attention.js';
import type { Notifier } from '../notify/notifier.js';
import type { Hub } from '../ws/hub.js';
import type { HookStore } from './hook-events.js';

const POLL_MS = 1_000;

// `attention` says why the agent needs the person (null: it does not). `host`: the host it
// runs on, in a cluster (another host's agent's id carries it too: w1@b).
export type AgentSnapshot = AgentView & { statusSince: string; attention: Attention | null; host?: string };

// Keeps every agent's status in memory for the listing: once a second it reads the registry
// and the windows and captures each live pane once; between readings the status is derived
// again from those screens and the latest hook reports, so a hook event shows at once. A
// change to agents.yaml (a spawn, a kill, from the API or the CLI) is read before the next
// answer, capturing only the windows it has not seen. The dashboards hear what changed:
// agents that appeared, disappeared, or changed status (with when the status began, and
// whether the change needs the person, which also goes to the notifier). In a cluster the
// listing holds the other hosts' agents too (their own hosts watch them; see TeamDirectory),
// and the directory hears of every change here.
export function createStatusMonitor(deps: AgentDeps, hooks: HookStore, hub: Hub, logger: Logger, notifier?: Notifier) {
  const registryFile = homePaths(deps.config.home).registry;
  let known = new Map<string, AgentSnapshot>();
  let team: TeamDirectory | undefined;
  const withTeam = (local: AgentSnapshot[]): AgentSnapshot[] => (team?.self ? [...local.map((a) => ({ ...a, host: team!.self! })), ...(team.agents() as TeamAgent[] as AgentSnapshot[])] : local);
  let observation: AgentObservation | undefined;
  // The windows' interrupt marks, read after `observation`'s screens (see markInterrupted), and
  // per agent the mark it carried when last seen not busy: a different one is an interrupt since.
  let marks: ReadonlyMap<string, string> = new Map();
  const seenMarks = new Map<string, string>();
  // agents.yaml as it was when `observation` was read.
  let observedRegistry: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Readings run one at a time, in the order they were asked for.
  let readings: Promise<void> = Promise.resolve();

  // Which version of agents.yaml is on disk: it is replaced by a rename at every write.
  function registryVersion(): string {
    try {
      const { ino, mtimeMs, size } = lstatSync(registryFile);
      return `${ino}:${mtimeMs}:${size}`;
    } catch {
      return 'none';
    }
  }

  // `all`: capture every live pane again; otherwise only the windows not seen before.
  function read(all: boolean): Promise<void> {
    const reading = readings.then(async () => {
      const version = registryVersion();
      const captured = await captureAgents(deps, all ? undefined : observation?.panes);
      // Set together: a listing answered meanwhile must not see these screens with older marks.
      marks = await deps.tmux.interruptMarks();
      observation = captured;
      observedRegistry = version;
    });
    readings = reading.catch(() => undefined);
    return reading;
  }

  // The agents as they stand now; what changed since the dashboards were last told is sent.
  function publish(): AgentSnapshot[] {
    if (!observation) return [];
    const now = Date.now();
    const next = new Map<string, AgentSnapshot>();
    const signs = interruptSigns(deps, observation, marks);
    for (const view of agentViews(deps, observation, hooks.reports, now).agents) {
      const before = known.get(view.id);
      const changed = !before || before.status !== view.status;
      const since = new Date(now).toISOString();
      const sign = signs.get(view.id);
      const interrupted = turnInterrupted(sign, seenMarks.get(view.id));
      // An interrupt counts for the turn under way: one pressed while the agent was not busy is spent.
      if (sign && (!before || view.status !== 'busy')) seenMarks.set(view.id, sign.mark);
      const attention = before ? nextAttention(before.attention, before.status, view.status, since, interrupted) : null;
      const snapshot = { ...view, statusSince: changed ? since : before.statusSince, attention };
      next.set(view.id, snapshot);
      if (!before) hub.broadcast('agent_created', snapshot);
      else if (changed) {
        hub.broadcast('agent_status', { id: view.id, status: view.status, previous: before.status, since: snapshot.statusSince, attention });
        if (attention && attention !== before.attention) notifier?.notify({ agent: view.id, event: attention.event, status: view.status, previous: before.status });
      }
    }
    for (const id of known.keys()) {
      if (next.has(id)) continue;
      seenMarks.delete(id);
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
      if (!observation || registryVersion() !== observedRegistry) await read(false);
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
    // Set while there is no registry and windows are listed by the old convention.
    get warning(): string | undefined {
      return observation?.warning;
    },
    start(): void {
      const tick = () => {
        this.refresh()
          .catch((error: unknown) => logger.warn(`agent status poll failed: ${(error as Error).message}`))
          .finally(() => {
            if (timer) timer = setTimeout(tick, POLL_MS);
          });
      };
      timer = setTimeout(tick, 0);
    },
    async stop(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      await readings;
    },
  };
}

export type StatusMonitor = ReturnType<typeof createStatusMonitor>;
