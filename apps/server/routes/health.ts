import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { CmuxConfig } from '../../core/src/index.js';

export interface FrontendHealth {
  status: 'healthy' | 'degraded';
  indexExists: boolean;
  jsBundles: number;
  served: boolean;
  lastCheck: string | null;
  lastHeal: string | null;
}

// What the disk says about the built dashboard. The frontend healer (issue #5) adds the
// served-bytes check and the heal history; until then this reads the build directory itself.
export function inspectFrontend(dist: string): FrontendHealth {
  const index = join(dist, 'index.html');
  const indexExists = existsSync(index);
  const scripts = indexExists ? [...readFileSync(index, 'utf8').matchAll(/<script[^>]+src="([^"]+\.js)"/g)] : [];
  const jsBundles = scripts.filter((m) => existsSync(join(dist, m[1]!.replace(/^\//, '')))).length;
  const healthy = indexExists && jsBundles === scripts.length && jsBundles > 0;
  return {
    status: healthy ? 'healthy' : 'degraded',
    indexExists,
    jsBundles,
    served: healthy,
    lastCheck: new Date().toISOString(),
    lastHeal: null,
  };
}

// GET /api/webhooks/health and /health: public, always 200 while the API lives. A frontend
// problem makes the overall status `degraded`, never a 503 that would look like a dead API.
export const healthRoutes: FastifyPluginAsync<{ config: CmuxConfig }> = async (app, { config }) => {
  const handler = async () => {
    const frontend = inspectFrontend(config.frontend.dist);
    return { status: frontend.status, api: 'healthy' as const, frontend };
  };
  app.get('/api/webhooks/health', handler);
  app.get('/health', handler);
};

