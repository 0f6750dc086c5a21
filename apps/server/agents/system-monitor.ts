import type { CmuxConfig } from '../../core/src/config/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { listAppStatus, type AppStatus } from '../../core/src/pm2/index.js';
import { healthPayload } from '../health/payload.js';
import { createAppSamples } from './app-samples.js';
import type { Hub } from '../ws/hub.js';

const POLL_MS = 5_000;

// Tells the dashboards when an app's PM2 state (status, pid, restarts) or the health status
// changes, so the system view is live without polling; keeps the last hour of their memory
// and restarts.
export function createSystemMonitor(config: CmuxConfig, hub: Hub, logger: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let apps = '';
  let health = '';
  let latest: { apps: AppStatus[]; health: { status: string; problem: string | null } | null } = { apps: [], health: null };
  const samples = createAppSamples();
  const tick = async () => {
    const list = await listAppStatus(config.home);
    samples.offer(list);
    const appsKey = JSON.stringify(list.map(({ name, status, pid, restarts }) => [name, status, pid, restarts]));
    if (apps && appsKey !== apps) hub.broadcast('process', list);
    apps = appsKey;
    const payload = healthPayload(config, list);
    const { frontend } = payload;
    const healthKey = `${frontend.status}|${frontend.problem ?? ''}|${frontend.lastHeal ?? ''}`;
    if (health && healthKey !== health) hub.broadcast('health', payload);
    health = healthKey;
    latest = { apps: list, health: { status: payload.status, problem: frontend.problem ?? null } };
  };
  return {
    // The apps and health as last read (what this host tells the others of a cluster).
    latest: () => latest,
    // Each app's memory and restarts over the last hour (the system view's charts).
    samples: () => samples.read(),
    start(): void {
      const loop = () => {
        tick()
          .catch((error: unknown) => logger.warn(`system poll failed: ${(error as Error).message}`))
          .finally(() => {
            if (timer) timer = setTimeout(loop, POLL_MS);
          });
      };
      timer = setTimeout(loop, 0);
    },
    stop(): void {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
