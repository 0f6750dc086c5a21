import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { readAlerts, type CmuxConfig } from '../../core/src/index.js';
import { parse } from '../validate.js';

const alertsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(50) });

// GET /api/alerts: the daemons' alerts, newest first.
export const alertRoutes: FastifyPluginAsync<{ config: CmuxConfig }> = async (app, { config }) => {
  app.get('/api/alerts', async (request) => readAlerts(config.home, parse(alertsQuery, request.query, 'limit').limit));
};
