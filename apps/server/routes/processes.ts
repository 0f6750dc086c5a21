import { Transform } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { APP_NAMES, followAppLogs } from '../../core/src/ecosystem/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { isCmuxApp, listAppStatus, withPm2 } from '../../core/src/pm2/index.js';
import { visibleControls } from '../../core/src/text/index.js';
import type { AppSamples } from '../agents/app-samples.js';
import { processSchemas as schema } from './processes.schema.js';

// The PM2 apps: their state (GET /api/processes), the last hour of their memory and restarts,
// one restarted, one's log followed.
export const processRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig; samples: () => AppSamples | null }> = async (app, { config, samples }) => {
  const tails = new Set<{ kill(): boolean }>();
  // A followed log never ends by itself: closing the server ends them.
  app.addHook('preClose', async () => {
    for (const tail of tails) tail.kill();
  });

  app.get('/api/processes', async () => listAppStatus(config.home));

  app.get('/api/processes/samples', async () => samples() ?? { intervalMs: 0, windowMs: 0, apps: {} });

  // Restarts one of this cmux's apps through PM2. The server restarting itself answers first:
  // it is stopped before PM2 could answer it.
  app.post('/api/processes/:name/restart', { schema: schema.restart }, async (request, reply) => {
    const { name } = request.params;
    const restart = () =>
      withPm2(
        async (pm2) => {
          if (!(await pm2.list()).some((p) => isCmuxApp(p, name, config.home))) throw new CmuxError('CMUX_ERR_NOT_RUNNING', `${name} is not started: \`cmux start\` starts it`);
          await pm2.restart(name);
        },
        { spawnDaemon: false },
      ).then((done) => {
        if (done === null) throw new CmuxError('CMUX_ERR_NOT_RUNNING', 'PM2 does not run: `cmux start` starts cmux');
      });
    if (name !== APP_NAMES.server) {
      await restart();
      return reply.code(202).send({ name });
    }
    reply.raw.once('finish', () => void restart().catch((error: unknown) => request.log.error(error)));
    return reply.code(202).send({ name });
  });

  // The app's log as `cmux logs -f <app>` prints it (the same `tail -F`, its control characters
  // made visible by the same rule), streamed as plain text until the client goes away.
  app.get('/api/processes/:name/log', { schema: schema.log }, async (request, reply) => {
    const tail = followAppLogs(config, request.params.name, request.query.lines);
    tails.add(tail);
    const stop = () => {
      tails.delete(tail);
      tail.kill();
    };
    reply.raw.once('close', stop);
    void tail.finally(stop);
    const shown = new Transform({ decodeStrings: false, transform: (chunk, _encoding, done) => done(null, visibleControls(String(chunk))) });
    tail.stdout.setEncoding('utf8').pipe(shown);
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').send(shown);
  });
};
