import type { FastifyPluginAsync } from 'fastify';
import { listAppStatus, type CmuxConfig } from '../../core/src/index.js';

// GET /api/processes: the four PM2 apps with pid, restarts, uptime, memory and CPU.
export const processRoutes: FastifyPluginAsync<{ config: CmuxConfig }> = async (app, { config }) => {
  app.get('/api/processes', async () => listAppStatus(config.home));
};
