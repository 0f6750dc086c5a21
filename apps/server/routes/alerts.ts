import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { acknowledgeAlert, readAlerts } from '../../core/src/alerts/index.js';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { readKills } from '../../core/src/journal/index.js';
import type { Hub } from '../ws/hub.js';
import { alertSchemas as schema } from './alerts.schema.js';

// What the dashboard keeps in view after the fact: the daemons' alerts (newest first, each
// with its acknowledgement, told to every dashboard) and the killed agents with their archived terminals.
export const alertRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig; hub: Hub }> = async (app, { config, hub }) => {
  app.get('/api/alerts', { schema: schema.list }, async (request) => readAlerts(config.home, request.query.limit));
  // Every open dashboard hears of it at once, not at its next fetch.
  app.post('/api/alerts/:id/ack', { schema: schema.ack }, async (request) => {
    const alert = await acknowledgeAlert(config.home, request.params.id);
    hub.broadcast('alert_acked', { id: alert.id, at: alert.acknowledged });
    return alert;
  });
  app.get('/api/killed-agents', { schema: schema.list }, async (request) => readKills(config.home, request.query.limit));
};
