import { CmuxError } from '../core/src/errors/index.js';
import { listAgentWindows, type AgentWindow } from '../registry/index.js';
import type { AgentDeps } from './deps.js';

// The registered agent `id` with its live window; CMUX_ERR_AGENT_NOT_FOUND (404) if unknown.
export async function findAgent(deps: AgentDeps, id: string): Promise<AgentWindow> {
  const found = (await listAgentWindows(deps)).agents.find((a) => a.agent.id === id);
  if (!found) throw new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `no agent ${JSON.stringify(id)}: \`npx cmux agents\` lists them`, { context: { id } });
  return found;
}

// Like findAgent, but the agent's window must exist and its program must be running.
export async function findLiveAgent(deps: AgentDeps, id: string): Promise<AgentWindow & { window: NonNullable<AgentWindow['window']> }> {
  const found = await findAgent(deps, id);
  if (!found.window) throw new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `agent ${id} is missing: its tmux window is gone`, { context: { id } });
  if (found.window.paneDead) throw new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `agent ${id} has exited: its program is no longer running`, { context: { id } });
  return found as AgentWindow & { window: NonNullable<AgentWindow['window']> };
}
