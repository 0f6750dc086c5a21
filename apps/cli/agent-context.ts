import { loadConfig, type CmuxConfig } from '../core/src/config/index.js';
import { createLogger } from '../core/src/log/index.js';
import { createAgentDeps, type AgentDeps } from '../agents/index.js';
import { stderrLines } from './output.js';

// The CLI's view of the agents: the configuration and one set of agent dependencies.
// It logs only warnings and errors, to stderr; the commands print their own results.
export function agentContext(): { config: CmuxConfig; deps: AgentDeps } {
  const config = loadConfig();
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const logger = createLogger('cli', { out: sink, err: stderrLines });
  return { config, deps: createAgentDeps(config, logger) };
}
