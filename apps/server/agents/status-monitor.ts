import type { Logger } from '../../core/src/index.js';
import { observeAgents, type AgentDeps, type AgentView } from '../../agents/index.js';
import { nextAttention, type Attention } from '../notify/attention.js';
import type { Notifier } from '../notify/notifier.js';
import type { Hub } from '../ws/hub.js';
import type { HookStore } from './hook-events.js';

const POLL_MS = 1_000;

// `attention` says why the agent needs the person (null: it does not).
export type AgentSnapshot = AgentView & { statusSince: string; attention: Attention | null };

// Watches every agent once a second and tells the dashboards what changed: agents that
// appeared, disappeared, or changed status (with when the status began, and whether the
// change needs the person, which also goes to the notifier).
export function createStatusMonitor(deps: AgentDeps, hooks: HookStore, hub: Hub, logger: Logger, notifier?: Notifier) {
  let known = new Map<string, AgentSnapshot>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<AgentSnapshot[]> | undefined;
  let warning: string | undefined;

  async function poll(): Promise<AgentSnapshot[]> {
    const listing = await observeAgents(deps, hooks.reports);
    const { agents } = listing;
    warning = listing.warning;
    const next = new Map<string, AgentSnapshot>();
    for (const view of agents) {
      const before = known.get(view.id);
      const changed = !before || before.status !== view.status;
      const now = new Date().toISOString();
      const attention = before ? nextAttention(before.attention, before.status, view.status, now) : null;
      const snapshot = { ...view, statusSince: changed ? now : before.statusSince, attention };
      next.set(view.id, snapshot);
      if (!before) hub.broadcast('agent_created', snapshot);
      else if (changed) {
        hub.broadcast('agent_status', { id: view.id, status: view.status, previous: before.status, since: snapshot.statusSince, attention });
        if (attention && attention !== before.attention) notifier?.notify({ agent: view.id, event: attention.event, status: view.status, previous: before.status });
      }
    }
    for (const id of known.keys()) if (!next.has(id)) hub.broadcast('agent_removed', { id });
    known = next;
    return [...next.values()];
  }

  return {
    // A fresh reading: one already under way is awaited, then a new one is taken, so a change
    // made just before the call (a spawn, a kill) is always in the answer.
    async refresh(): Promise<AgentSnapshot[]> {
      await running?.catch(() => undefined);
      running ??= poll().finally(() => (running = undefined));
      return running;
    },
    // Set while there is no registry and windows are listed by the old convention.
    get warning(): string | undefined {
      return warning;
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
      await running?.catch(() => undefined);
    },
  };
}

export type StatusMonitor = ReturnType<typeof createStatusMonitor>;
