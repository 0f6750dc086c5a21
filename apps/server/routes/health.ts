import type { FastifyPluginAsync } from 'fastify';
import { checkOnDisk, listAppStatus, readFrontendState, type CmuxConfig, type FrontendState } from '../../core/src/index.js';

const PROCESSES_TIMEOUT_MS = 1_000;

export type FrontendHealth = Omit<FrontendState, 'gaveUp'>;

// The frontend's health: what the disk says now, joined with what the healer last found
// (served bytes, browser, heals). Either one finding a problem makes it degraded.
export function frontendHealth(config: CmuxConfig): FrontendHealth {
  const disk = checkOnDisk(config.frontend.dist);
  const healer = readFrontendState(config.home);
  const problem = disk.problem ?? (healer?.status === 'degraded' ? healer.problem : null);
  return {
    status: problem === null ? 'healthy' : 'degraded',
    indexExists: disk.indexExists,
    jsBundles: disk.jsBundles,
    served: disk.ok && (healer?.served ?? true),
    lastCheck: healer?.lastCheck ?? null,
    lastHeal: healer?.lastHeal ?? null,
    problem,
  };
}

// GET /api/webhooks/health and /health: public, always 200 while the API lives. A frontend
// problem makes the overall status `degraded`, never a 503 that would look like a dead API.
export const healthRoutes: FastifyPluginAsync<{ config: CmuxConfig }> = async (app, { config }) => {
  const handler = async () => {
    const frontend = frontendHealth(config);
    const processes = await Promise.race([
      listAppStatus(config.home).then((apps) => apps.map(({ name, status }) => ({ name, status }))),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), PROCESSES_TIMEOUT_MS).unref()),
    ]).catch(() => null);
    return { status: frontend.status, api: 'healthy' as const, frontend, processes };
  };
  app.get('/api/webhooks/health', handler);
  app.get('/health', handler);
};
