import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AgentDeps } from '../apps/agents/index.ts';
import { openHistory, type HistoryStore } from '../apps/core/src/index.ts';
import { createHookStore } from '../apps/server/agents/hook-events.ts';
import { createStatusMonitor } from '../apps/server/agents/status-monitor.ts';
import { buildApp } from '../apps/server/app.ts';
import { createHub } from '../apps/server/ws/hub.ts';

// cmux-server's HTTP app and status monitor over an agent harness, listening on loopback, and
// a client with its token. `extra` adds routes (a baseline served the same way).
export async function apiServer(deps: AgentDeps, extra: (app: FastifyInstance, history: HistoryStore) => void = () => undefined) {
  const token = randomBytes(16).toString('hex');
  const hooks = createHookStore();
  const hub = createHub();
  const history = openHistory(deps.config.home);
  const monitor = createStatusMonitor(deps, hooks, hub, deps.logger);
  const app = await buildApp({ config: deps.config, token, logger: deps.logger, agents: deps, monitor, hooks, hub, history });
  extra(app, history);
  await app.listen({ host: '127.0.0.1', port: 0 });
  monitor.start();
  const { port } = app.server.address() as AddressInfo;
  return {
    monitor,
    history,
    async get<T>(path: string): Promise<T> {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
      if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
      return (await response.json()) as T;
    },
    async close(): Promise<void> {
      await monitor.stop();
      await app.close();
      history.close();
    },
  };
}
