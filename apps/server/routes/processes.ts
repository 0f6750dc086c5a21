import type { FastifyPluginAsync } from 'fastify';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { listAppStatus } from '../../core/src/pm2/index.js';

// GET /api/processes: the four PM2 apps with pid, restarts, uptime, memory and CPU.
export const processRoutes: FastifyPluginAsync<{ config: CmuxConfig }> = async (app, { config }) => {
  app.get('/api/processes', async () => listAppStatus(config.home));
};
