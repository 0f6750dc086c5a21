import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readAlerts, type CmuxConfig } from '../../core/src/index.js';
import { alertSchemas as schema } from './alerts.schema.js';

// GET /api/alerts: the daemons' alerts, newest first.
export const alertRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig }> = async (app, { config }) => {
  app.get('/api/alerts', { schema: schema.list }, async (request) => readAlerts(config.home, request.query.limit));
};
