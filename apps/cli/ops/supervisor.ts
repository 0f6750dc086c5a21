import { join } from 'node:path';
import { createAgent, findAgent, killAgent, startAgent, SUPERVISOR, type AgentDeps } from '../../agents/index.js';
import { isCmuxError } from '../../core/src/index.js';

export { SUPERVISOR };

// Launches and registers the supervisor when it is missing (never registered, or its window is
// gone), waits for its prompt and points it at its role instructions.
export async function ensureSupervisor(deps: AgentDeps, report: (line: string) => void): Promise<void> {
  try {
    const { window } = await findAgent(deps, SUPERVISOR);
    if (window && !window.paneDead) return;
    const { archive } = await killAgent(deps, SUPERVISOR);
    report(`the supervisor had ${window ? 'exited' : 'lost its window'}; replaced it${archive ? ` (old terminal in ${archive})` : ''}`);
  } catch (error) {
    if (!isCmuxError(error, 'CMUX_ERR_AGENT_NOT_FOUND')) throw error;
  }
  const agent = await createAgent(deps, { name: SUPERVISOR, role: SUPERVISOR, createdBy: 'cmux' });
  report(`started the supervisor (window ${agent.windowId}); waiting for its prompt`);
  const role = join(deps.config.root, 'config', 'roles', 'supervisor.md');
  await startAgent(deps, agent, `Read your role instructions in ${role} and follow them. Then wait for messages.`);
  report('the supervisor is ready');
}
