import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { acknowledgeAlert, readAlerts, readKills, type CmuxConfig } from '../../core/src/index.js';
import { parse } from '../validate.js';

const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(50) });
const alertParams = z.object({ id: z.uuid('an alert id (a UUID)') });

// What the dashboard keeps in view after the fact: the daemons' alerts (newest first, each
// with its acknowledgement) and the killed agents with their archived terminals.
export const alertRoutes: FastifyPluginAsync<{ config: CmuxConfig }> = async (app, { config }) => {
  app.get('/api/alerts', async (request) => readAlerts(config.home, parse(limitQuery, request.query, 'limit').limit));
  app.post('/api/alerts/:id/ack', async (request) => acknowledgeAlert(config.home, parse(alertParams, request.params, 'id').id));
  app.get('/api/killed-agents', async (request) => readKills(config.home, parse(limitQuery, request.query, 'limit').limit));
};
