import type { CmuxConfig } from '../../core/src/config/index.js';
import { checkOnDisk, readFrontendState, type FrontendState } from '../../core/src/frontend/index.js';
import { listAppStatus, type AppStatus } from '../../core/src/pm2/index.js';

const PROCESSES_TIMEOUT_MS = 1_000;

export type FrontendHealth = Omit<FrontendState, 'gaveUp'>;

export interface HealthPayload {
  status: FrontendHealth['status'];
  api: 'healthy';
  frontend: FrontendHealth;
  // The four apps' PM2 status, or null when PM2 did not answer in time.
  processes: Array<{ name: string; status: string }> | null;
}

// The frontend's health: what the disk says now, joined with what the healer last found
// (served bytes, browser, heals). Either one finding a problem makes it degraded.
function frontendHealth(config: CmuxConfig): FrontendHealth {
  const disk = checkOnDisk(config.frontend.dist);
  const healer = readFrontendState(config.home);
  const problem = disk.problem ?? (healer?.status === 'degraded' ? healer.problem : null);
  return {
    status: problem === null ? 'healthy' : 'degraded',
    indexExists: disk.indexExists,
    jsBundles: disk.jsBundles,
    served: disk.ok && (healer?.served ?? true),
    // A state written before the healer knew of browser verdicts has none yet.
    browser: healer?.browser ?? 'pending',
    lastCheck: healer?.lastCheck ?? null,
    lastHeal: healer?.lastHeal ?? null,
    problem,
  };
}

// The one health payload (CONTRACT §3), for GET /health and the `health` WebSocket frame. A
// frontend problem makes the whole `degraded`, never a dead API.
export function healthPayload(config: CmuxConfig, apps: readonly Pick<AppStatus, 'name' | 'status'>[] | null): HealthPayload {
  const frontend = frontendHealth(config);
  return { status: frontend.status, api: 'healthy', frontend, processes: apps && apps.map(({ name, status }) => ({ name, status })) };
}

// The health payload with PM2's view of the apps, which it waits for a bounded time only: the
// health check must answer while PM2 hangs.
export async function readHealth(config: CmuxConfig): Promise<HealthPayload> {
  const apps = await Promise.race([
    listAppStatus(config.home),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), PROCESSES_TIMEOUT_MS).unref()),
  ]).catch(() => null);
  return healthPayload(config, apps);
}
