import Fastify, { type FastifyInstance } from 'fastify';
import { CmuxError, type CmuxConfig, type Logger } from '../core/src/index.js';
import { requireToken } from './auth/hook.js';
import { healthRoutes } from './routes/health.js';
import { processRoutes } from './routes/processes.js';

export interface AppDeps {
  config: CmuxConfig;
  token: string;
  logger: Logger;
}

// Builds the HTTP app without listening: health in the open scope, every other route behind
// the token. One error handler turns every failure into the contract's {error} body.
export async function buildApp({ config, token, logger }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: config.server.bodyLimitBytes, return503OnClosing: true });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof CmuxError) {
      if (error.status >= 500) logger.error(`${request.method} ${request.url}: ${error.message}`, { code: error.code });
      return reply.code(error.status).send({ error: error.message, code: error.code });
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) {
      logger.error(`${request.method} ${request.url} failed: ${(error as Error).message}`, { error });
      return reply.code(500).send({ error: 'internal error; see the cmux-server log' });
    }
    return reply.code(status).send({ error: (error as Error).message });
  });
  const authenticate = requireToken(token);
  // Unknown paths need the token too, so an unauthenticated probe learns nothing of the API.
  app.setNotFoundHandler({ preHandler: authenticate }, (request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );

  await app.register(healthRoutes, { config });
  await app.register(async (scope) => {
    scope.addHook('onRequest', authenticate);
    await scope.register(processRoutes);
  });
  return app;
}
