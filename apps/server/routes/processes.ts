import type { FastifyPluginAsync } from 'fastify';
import { listAppStatus } from '../../core/src/index.js';

// GET /api/processes: the four PM2 apps with pid, restarts, uptime, memory and CPU.
export const processRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/processes', async () => listAppStatus());
};
