import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
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

// The compressed copies the build writes beside its text files (vite.config.ts), best first.
const ENCODINGS = [
  { name: 'br', suffix: '.br', decode: brotliDecompressSync },
  { name: 'gzip', suffix: '.gz', decode: gunzipSync },
] as const;
const MAX_VERIFIED = 500;

// Whether an Accept-Encoding header takes `encoding`: named (or `*`) with a q above 0.
function accepts(header: string, encoding: string): boolean {
  let wildcard = false;
  for (const part of header.toLowerCase().split(',')) {
    const [token, ...params] = part.split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    const taken = q === undefined || Number(q.slice(2)) > 0;
    if (token === encoding) return taken;
    if (token === '*') wildcard = taken;
  }
  return wildcard;
}

// Whether a compressed copy holds exactly the file's bytes, checked once per version of the two
// (their sizes and times): a file changed or damaged after the build goes out as it is, never as
// the build's copy of what it was, so the file the healer checks is what every client gets.
const verified = new Map<string, { versions: string; same: boolean }>();
function copyMatches(file: string, copy: string, decode: (compressed: Buffer) => Buffer): boolean {
  const versions = [statSync(file), statSync(copy)].map((s) => `${s.size}:${s.mtimeMs}`).join('/');
  const known = verified.get(copy);
  if (known?.versions === versions) return known.same;
  let same: boolean;
  try {
    same = decode(readFileSync(copy)).equals(readFileSync(file));
  } catch {
    same = false;
  }
  if (verified.size >= MAX_VERIFIED) verified.clear();
  verified.set(copy, { versions, same });
  return same;
}

// What to send for `file`: its compressed copy in the best encoding the client asks for, or the
// file itself (no such copy, or a client that asked for none). `varies`: the file has copies,
// so the answer depends on Accept-Encoding.
export function encodedFile(file: string, acceptEncoding: string | undefined): { path: string; encoding: string | null; varies: boolean } {
  const copies = ENCODINGS.filter((e) => existsSync(file + e.suffix));
  const chosen = acceptEncoding ? copies.find((e) => accepts(acceptEncoding, e.name) && copyMatches(file, file + e.suffix, e.decode)) : undefined;
  return { path: chosen ? file + chosen.suffix : file, encoding: chosen?.name ?? null, varies: copies.length > 0 };
}

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

// The cookie older cmux versions kept the dashboard session in. Its session is gone (see
// fileSessionStore); clearing it stops the browser from handing it to every local port.
const LEGACY_SESSION_COOKIE = 'cmux_session';

// The dashboard: the build folder is looked up at every request (a rebuilt or swapped-in
// folder is live at once); unknown paths without an extension get index.html (the app routes
// itself); a file the build also wrote compressed goes out compressed to a client that asks. `/?code=…` is the page too: the page trades the one-time code for a session
// itself (POST /api/login) and takes it out of the address, so the URL left in the browser's
// history is worthless once used. No page leaks its address as a Referer, and none shares a
// window with another origin's page (which could otherwise script it through window.opener).
export const frontendRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig }> = async (app, { config }) => {
  const dist = config.frontend.dist;

  const serve = async (url: string, headers: IncomingHttpHeaders, reply: FastifyReply) => {
    const path = url.split('?')[0]!;
    const asset = path === '/' ? null : resolveAsset(dist, path === '/favicon.ico' ? ICON : path);
    const file = asset ?? (extname(path) === '' ? resolveAsset(dist, '/index.html') : null);
    if (!file) {
      if (extname(path) !== '') throw new CmuxError('CMUX_ERR_NOT_FOUND', `no file ${path.slice(0, 200)} in the dashboard`);
      void reply.header('retry-after', '5');
      throw new CmuxError('CMUX_ERR_DASHBOARD_REBUILDING', 'The dashboard is being rebuilt; it will be back in a moment. The API still answers.');
    }
    const html = file.endsWith('.html');
    if (html) {
      void reply.header('referrer-policy', 'no-referrer').header('cross-origin-opener-policy', 'same-origin');
      if (headers.cookie?.includes(`${LEGACY_SESSION_COOKIE}=`)) void reply.header('set-cookie', `${LEGACY_SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    }
    const sent = encodedFile(file, headers['accept-encoding']);
    if (sent.varies) void reply.header('vary', 'accept-encoding');
    if (sent.encoding) void reply.header('content-encoding', sent.encoding);
    return reply
      .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', html ? 'no-cache' : 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(createReadStream(sent.path));
  };

  for (const route of ['/', '/assets/*', '/favicon.ico']) {
    app.get(route, { schema: schema.page }, async (request, reply) => serve(request.url, request.headers, reply));
  }
};
