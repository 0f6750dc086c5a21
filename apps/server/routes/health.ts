import type { FastifyPluginAsync } from 'fastify';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { readHealth } from '../health/payload.js';

// GET /api/webhooks/health and /health: public, always 200 while the API lives. A frontend
// problem makes the overall status `degraded`, never a 503 that would look like a dead API.
export const healthRoutes: FastifyPluginAsync<{ config: CmuxConfig }> = async (app, { config }) => {
  const handler = async () => readHealth(config);
  app.get('/api/webhooks/health', handler);
  app.get('/health', handler);
};
