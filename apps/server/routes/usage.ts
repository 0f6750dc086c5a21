import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UsageTracker } from '../../usage/index.js';
import { usageSchemas as schema } from './usage.schema.js';

// Tokens and estimated cost per agent, project, day or model, from the agents' own session
// logs (apps/usage).
export const usageRoutes: FastifyPluginAsyncZod<{ usage: UsageTracker }> = async (app, { usage }) => {
  app.get('/api/usage', { schema: schema.report }, async (request) => usage.report(request.query.by, request.query.since));
};
