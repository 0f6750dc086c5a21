import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { sessionCookie } from '../auth/hook.js';
import type { Sessions } from '../auth/sessions.js';
import { frontendSchemas as schema } from './frontend.schema.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// Browsers and tools ask for /favicon.ico; the dashboard's icon is an SVG (served as one).
const ICON = '/assets/favicon.svg';

// The file under `dist` a URL path names, or null when it would leave `dist` or does not exist.
export function resolveAsset(dist: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = normalize(join(dist, decoded));
  if (file !== dist && !file.startsWith(dist.endsWith(sep) ? dist : `${dist}${sep}`)) return null;
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

// The dashboard: the build folder is looked up at every request (a rebuilt or swapped-in
// folder is live at once); unknown paths without an extension get index.html (the app routes
// itself); `/?code=…` trades a one-time login code for a session cookie, so the URL left in
// the browser's history is worthless once used.
export const frontendRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig; sessions: Sessions }> = async (app, { config, sessions }) => {
  const dist = config.frontend.dist;

  const serve = async (url: string, code: string | undefined, reply: FastifyReply) => {
    if (code !== undefined) {
      const session = sessions.redeem(code);
      if (!session) throw new CmuxError('CMUX_ERR_UNAUTHORIZED', 'This login link was used already or has expired: run `cmux open` for a new one.');
      return reply.header('set-cookie', sessionCookie(session)).header('referrer-policy', 'no-referrer').redirect('/', 302);
    }
    const path = url.split('?')[0]!;
    const asset = path === '/' ? null : resolveAsset(dist, path === '/favicon.ico' ? ICON : path);
    const file = asset ?? (extname(path) === '' ? resolveAsset(dist, '/index.html') : null);
    if (!file) {
      if (extname(path) !== '') throw new CmuxError('CMUX_ERR_NOT_FOUND', `no file ${path.slice(0, 200)} in the dashboard`);
      void reply.header('retry-after', '5');
      throw new CmuxError('CMUX_ERR_DASHBOARD_REBUILDING', 'The dashboard is being rebuilt; it will be back in a moment. The API still answers.');
    }
    const html = file.endsWith('.html');
    return reply
      .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', html ? 'no-cache' : 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(createReadStream(file));
  };

  for (const route of ['/', '/assets/*', '/favicon.ico']) {
    app.get(route, { schema: schema.page }, async (request, reply) => serve(request.url, request.query.code, reply));
  }
};
