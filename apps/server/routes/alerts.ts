import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { acknowledgeAlert, readAlerts } from '../../core/src/alerts/index.js';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { readKills } from '../../core/src/journal/index.js';
import { alertSchemas as schema } from './alerts.schema.js';

// What the dashboard keeps in view after the fact: the daemons' alerts (newest first, each
// with its acknowledgement) and the killed agents with their archived terminals.
export const alertRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig }> = async (app, { config }) => {
  app.get('/api/alerts', { schema: schema.list }, async (request) => readAlerts(config.home, request.query.limit));
  app.post('/api/alerts/:id/ack', { schema: schema.ack }, async (request) => acknowledgeAlert(config.home, request.params.id));
  app.get('/api/killed-agents', { schema: schema.list }, async (request) => readKills(config.home, request.query.limit));
};
