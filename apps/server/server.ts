import type { FastifyInstance } from 'fastify';
import {
  CmuxError,
  findPortHolders,
  once,
  portInUseError,
  type AppHandle,
  type CmuxConfig,
  type Logger,
} from '../core/src/index.js';
import { buildApp } from './app.js';
import { ensureToken } from './auth/token.js';
import { isLoopback } from './auth/loopback.js';

// The cmux-server app: refuses an unsafe bind, makes sure a token exists, and serves the API.
export function createServer(config: CmuxConfig, logger: Logger): AppHandle {
  let app: FastifyInstance | undefined;
  return {
    async start() {
      const { host, port } = config.server;
      if (!isLoopback(host) && !config.server.token) {
        throw new CmuxError(
          'CMUX_ERR_UNSAFE_BIND',
          `refusing to listen on ${host}, which is not loopback, without a token chosen for it: set CMUX_TOKEN (16+ characters) or server.token, or bind to 127.0.0.1`,
        );
      }
      const token = ensureToken(config);
      app = await buildApp({ config, token, logger });
      try {
        await app.listen({ host, port });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUseError(port, host, await findPortHolders(port, config.home));
        throw error;
      }
      logger.info(`listening on http://${host}:${port}`);
    },
    stop: once(async () => {
      await app?.close();
    }),
  };
}

