import { CmuxError } from '../core/src/errors/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { listAgentWindows, readRegistryForLookup, type AgentWindow } from '../registry/index.js';
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
