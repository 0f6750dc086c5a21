import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ClusterSide } from '../cluster/side.js';

// GET /api/cluster: this host's place in its cluster (null names on a single host) and every
// host it knows, with whether it answers, when it was last heard, its PM2 apps and its health.
export const clusterRoutes: FastifyPluginAsyncZod<{ cluster: ClusterSide }> = async (app, { cluster }) => {
  app.get('/api/cluster', async () => cluster.describe());
};
