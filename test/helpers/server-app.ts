import type { FastifyInstance } from 'fastify';
import type { AgentDeps } from '../../apps/agents/index.ts';
import { createLogger, openHistory } from '../../apps/core/src/index.ts';
import { buildApp } from '../../apps/server/app.ts';
import { createHookStore } from '../../apps/server/agents/hook-events.ts';
import { createStatusMonitor } from '../../apps/server/agents/status-monitor.ts';
import { createHub } from '../../apps/server/ws/hub.ts';

// The server's HTTP app over an agent harness's real services (tmux, CMUX_HOME), in this
// process and quiet: for tests of the routes without PM2.
export async function inProcessApp(deps: AgentDeps, token: string, agentToken?: string): Promise<FastifyInstance> {
  const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
  const hooks = createHookStore();
  const hub = createHub();
  return buildApp({ config: deps.config, token, ...(agentToken ? { agentToken } : {}), logger: quiet, agents: { ...deps, logger: quiet }, hooks, hub, history: openHistory(deps.config.home), monitor: createStatusMonitor(deps, hooks, hub, quiet) });
}
