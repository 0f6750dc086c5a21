import type { CmuxConfig } from '../core/src/config/index.js';
import { CmuxError } from '../core/src/errors/index.js';
import { ADDRESS, hostOf, withoutHost } from '../core/src/mailbox/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { listAgentWindows, readRegistryForLookup, type AgentWindow } from '../registry/index.js';
import { readClusterView } from '../registry/directory/view-file.js';
import type { AgentDeps } from './deps.js';

function noAgent(id: string): CmuxError {
  return new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `no agent ${JSON.stringify(id)}: \`cmux agents\` lists them`, { context: { id } });
}

// The registered agent `id` with its live window; CMUX_ERR_AGENT_NOT_FOUND (404) if unknown.
export async function findAgent(deps: AgentDeps, id: string): Promise<AgentWindow> {
  const found = (await listAgentWindows(deps)).agents.find((a) => a.agent.id === id);
  if (!found) throw noAgent(id);
  return found;
}

// CMUX_ERR_AGENT_NOT_FOUND (404) unless `id` is registered: from agents.yaml alone, no tmux call.
export async function assertRegistered(deps: AgentDeps, id: string): Promise<void> {
  const { registry } = await readRegistryForLookup(homePaths(deps.config.home).registry);
  if (!registry || !Object.hasOwn(registry.agents, id)) throw noAgent(id);
}

// Like findAgent, but the agent's window must exist and its program must be running.
export async function findLiveAgent(deps: AgentDeps, id: string): Promise<AgentWindow & { window: NonNullable<AgentWindow['window']> }> {
  const found = await findAgent(deps, id);
  if (!found.window) throw new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `agent ${id} is missing: its tmux window is gone`, { context: { id } });
  if (found.window.paneDead) throw new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `agent ${id} has exited: its program is no longer running`, { context: { id } });
  return found as AgentWindow & { window: NonNullable<AgentWindow['window']> };
}

// The id as this host names it (its own host's name dropped), and the other host it is on,
// if any. CMUX_ERR_NOT_IN_CLUSTER for another host when this cmux is not a cluster member.
export function splitHost(config: CmuxConfig, id: string): { id: string; host: string | null } {
  // What is not an address is no agent's, here or elsewhere.
  const host = ADDRESS.test(id) ? hostOf(id) : null;
  if (host === null || host === config.cluster?.host) return { id: withoutHost(id), host: null };
  if (!config.cluster) throw new CmuxError('CMUX_ERR_NOT_IN_CLUSTER', `${id} is an agent of host ${host}, and this cmux is not in a cluster: join one first (docs/CLUSTER.md)`, { context: { id } });
  return { id: withoutHost(id), host };
}

// For an address on another host, as far as this host knows: the host is one of the cluster's
// (CMUX_ERR_NOT_IN_CLUSTER), and while it answers, the agent is one of its own (a message to
// a host that is away waits for it). Nothing for this host's own addresses.
export function assertKnownRemote(config: CmuxConfig, address: string): void {
  const { host } = splitHost(config, address);
  if (host === null) return;
  const view = readClusterView(config);
  const state = view?.hosts.find((h) => h.host === host);
  if (!state) {
    throw new CmuxError('CMUX_ERR_NOT_IN_CLUSTER', `no host ${host} in cluster ${config.cluster!.name}${view ? '' : ' (is cmux-server running? it keeps the list)'}: \`cmux cluster status\` lists them`, { context: { host } });
  }
  if (state.reachable && !view!.agents.some((a) => a.id === address)) throw noAgent(address);
}
