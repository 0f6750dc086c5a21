import type { AgentDeps } from '../../agents/index.js';
import { readEnvironment } from '../../core/src/proc/index.js';
import { listAgentWindows } from '../../registry/index.js';
import type { UsageAgent } from '../../usage/index.js';

// The registered agents as the usage ledger needs them: the environment is the program's own,
// read from its pane's process (what it was started with decides where it keeps its logs); an
// agent without a live window keeps the logs already found for it and finds no new ones.
export function usageAgentsOf(agents: AgentDeps): () => Promise<UsageAgent[]> {
  return async () => {
    const { agents: list } = await listAgentWindows(agents);
    return list.map(({ agent, window }) => ({
      id: agent.id,
      kind: agent.kind ?? 'generic',
      cwd: agent.cwd,
      project: agent.project ?? null,
      createdAt: agent.createdAt,
      sessionId: agent.sessionId ?? null,
      env: window && window.panePid > 0 ? readEnvironment(window.panePid) : null,
    }));
  };
}
