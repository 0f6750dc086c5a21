import type { AgentDeps } from '../agents/index.js';
import { listAgentWindows } from '../registry/index.js';

export interface Discrepancy {
  key: string;
  text: string;
}

// Where the registry and tmux disagree right now: a registered agent whose window is gone or
// whose program has exited, and a window in the cmux session that nobody registered.
export async function findDiscrepancies(deps: AgentDeps): Promise<{ discrepancies: Discrepancy[]; agents: number }> {
  const { config, tmux } = deps;
  const listing = await listAgentWindows(deps);
  if (listing.warning) return { discrepancies: [], agents: 0 };
  const found: Discrepancy[] = [];
  const registered = new Set<string>();
  for (const { agent, window } of listing.agents) {
    registered.add(agent.windowId);
    if (!window) found.push({ key: `missing:${agent.id}`, text: `registered agent ${agent.id} has no tmux window (it was ${agent.windowId})` });
    else if (window.paneDead) found.push({ key: `exited:${agent.id}`, text: `agent ${agent.id}'s program has exited (window ${agent.windowId})` });
  }
  for (const window of await tmux.listWindows()) {
    if (window.session !== config.tmux.session || registered.has(window.windowId) || config.tmux.systemWindows.includes(window.name)) continue;
    found.push({ key: `unregistered:${window.windowId}`, text: `window ${window.name} (${window.windowId}) in session ${window.session} is not a registered agent` });
  }
  return { discrepancies: found, agents: listing.agents.length };
}
