import { deriveStatus, showsInterrupt, type AgentStatus, type HookReport } from '../core/src/agents/index.js';
import type { InterruptMark } from '../core/src/tmux/index.js';
import { listAgentWindows, type AgentWindow, type WorktreeEntry } from '../registry/index.js';
import { DEFAULT_PROJECT } from '../projects/schema.js';
import type { AgentDeps } from './deps.js';

// An agent as the API, the CLI and the dashboard show it (CONTRACT §3).
export interface AgentView {
  id: string;
  name: string;
  role: string;
  session: string;
  window: string;
  windowId: string;
  status: AgentStatus;
  createdAt: string;
  createdBy: string;
  command: string;
  cwd: string;
  kind: string;
  worktree?: WorktreeEntry;
  project: string;
}

export interface AgentListing {
  agents: AgentView[];
  warning?: string;
}

const CAPTURE_CONCURRENCY = 8;

// What tmux showed of the agents at one moment: the registry joined with the windows, and the
// screen of each live pane (by window id; null when it could not be read).
export interface AgentObservation {
  windows: AgentWindow[];
  panes: ReadonlyMap<string, string | null>;
  warning?: string | undefined;
}

// Lists the registered agents with their status. The listing itself is one tmux call; each
// live pane is then captured once (a few at a time) to read its status.
export async function observeAgents(deps: AgentDeps, hooks: ReadonlyMap<string, HookReport> = new Map()): Promise<AgentListing> {
  return agentViews(deps, await captureAgents(deps), hooks, Date.now());
}

// Reads the registry and the windows, and captures the live panes; `known` holds screens read
// a moment ago (by window id) that need not be captured again.
export async function captureAgents(deps: AgentDeps, known: ReadonlyMap<string, string | null> = new Map()): Promise<AgentObservation> {
  const { agents: windows, warning } = await listAgentWindows(deps);
  const live = windows.flatMap(({ window }) => (window && !window.paneDead ? [window.windowId] : []));
  const captured = await mapLimited(live, CAPTURE_CONCURRENCY, async (windowId) =>
    known.has(windowId) ? known.get(windowId)! : deps.tmux.capturePane(windowId).catch(() => null),
  );
  return { windows, panes: new Map(live.map((windowId, i) => [windowId, captured[i]!])), warning };
}

// The observation with the screens of `windowIds` (those it has as live panes) read again.
export async function recapture(deps: AgentDeps, observation: AgentObservation, windowIds: Iterable<string>): Promise<AgentObservation> {
  const again = [...new Set(windowIds)].filter((windowId) => observation.panes.has(windowId));
  if (again.length === 0) return observation;
  const captured = await mapLimited(again, CAPTURE_CONCURRENCY, (windowId) => deps.tmux.capturePane(windowId).catch(() => null));
  const panes = new Map(observation.panes);
  again.forEach((windowId, i) => panes.set(windowId, captured[i]!));
  return { ...observation, panes };
}

// The agents as the API shows them, from an observation, the hooks' reports and the windows'
// interrupt marks (read after the observation) at `now`.
export function agentViews(
  deps: AgentDeps,
  observation: AgentObservation,
  hooks: ReadonlyMap<string, HookReport>,
  now: number,
  marks: ReadonlyMap<string, InterruptMark> = new Map(),
): AgentListing {
  const views = observation.windows.map((entry) => {
    const windowId = entry.window?.windowId;
    const pane = windowId ? (observation.panes.get(windowId) ?? null) : null;
    const turnStoppedAt = windowId === undefined ? undefined : (marks.get(windowId)?.turnStoppedAt ?? undefined);
    return toView(deps, entry, pane, hooks.get(entry.agent.id), turnStoppedAt, now);
  });
  return observation.warning ? { agents: views, warning: observation.warning } : { agents: views };
}

// What tells a turn stopped by an interrupt from a finished one: the mark of the last
// interrupt cmux pressed into the agent's window ('' for none; it changes at each), and whether
// its screen shows the kind's interrupted line.
export interface InterruptSigns {
  mark: string;
  onScreen: boolean;
}

// Each live agent's interrupt signs, from an observation and the windows' marks read after it.
export function interruptSigns(deps: AgentDeps, observation: AgentObservation, marks: ReadonlyMap<string, InterruptMark>): Map<string, InterruptSigns> {
  const signs = new Map<string, InterruptSigns>();
  for (const { agent, window } of observation.windows) {
    const pane = window ? observation.panes.get(window.windowId) : null;
    if (!window || pane === null || pane === undefined) continue;
    signs.set(agent.id, { mark: marks.get(window.windowId)?.mark ?? '', onScreen: showsInterrupt(deps.kinds.forCommand(agent.command), pane) });
  }
  return signs;
}

function toView(deps: AgentDeps, { agent, window }: AgentWindow, pane: string | null, hook: HookReport | undefined, turnStoppedAt: number | undefined, now: number): AgentView {
  const kind = deps.kinds.forCommand(agent.command);
  const created = Date.parse(agent.createdAt);
  const status: AgentStatus = !window && agent.state === 'stopped' ? 'stopped' : deriveStatus({
    windowExists: window !== null,
    paneDead: window?.paneDead ?? false,
    pane,
    kind,
    hook,
    turnStoppedAt,
    ageMs: Number.isFinite(created) ? now - created : Number.POSITIVE_INFINITY,
    startingGraceMs: deps.config.agents.readyTimeoutMs,
    now,
  });
  return {
    id: agent.id,
    name: agent.name,
    role: agent.role,
    session: agent.session,
    window: window?.name ?? agent.window,
    windowId: agent.windowId,
    status,
    createdAt: agent.createdAt,
    createdBy: agent.createdBy,
    command: agent.command,
    cwd: agent.cwd,
    kind: kind.name,
    project: agent.project ?? DEFAULT_PROJECT,
    ...(agent.worktree ? { worktree: agent.worktree } : {}),
  };
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
