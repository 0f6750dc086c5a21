import { deriveStatus, type AgentStatus, type HookReport } from '../core/src/index.js';
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

// Lists the registered agents with their status. The listing itself is one tmux call; each
// live pane is then captured once (a few at a time) to read its status.
export async function observeAgents(deps: AgentDeps, hooks: ReadonlyMap<string, HookReport> = new Map()): Promise<AgentListing> {
  const { agents, warning } = await listAgentWindows(deps);
  const now = Date.now();
  const panes = await mapLimited(agents, CAPTURE_CONCURRENCY, async ({ window }) =>
    window && !window.paneDead ? deps.tmux.capturePane(window.windowId).catch(() => null) : null,
  );
  const views = agents.map((entry, i) => toView(deps, entry, panes[i] ?? null, hooks.get(entry.agent.id), now));
  return warning ? { agents: views, warning } : { agents: views };
}

function toView(deps: AgentDeps, { agent, window }: AgentWindow, pane: string | null, hook: HookReport | undefined, now: number): AgentView {
  const kind = deps.kinds.forCommand(agent.command);
  const created = Date.parse(agent.createdAt);
  const status: AgentStatus = !window && agent.state === 'stopped' ? 'stopped' : deriveStatus({
    windowExists: window !== null,
    paneDead: window?.paneDead ?? false,
    pane,
    kind,
    hook,
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
