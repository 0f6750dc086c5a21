import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { request } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { eventually } from '../helpers/tmux.ts';
import { createLogger, loadConfig, type CmuxConfig } from '../../apps/core/src/index.ts';
import { tokenMatches } from '../../apps/server/auth/token.ts';
import { createServer } from '../../apps/server/server.ts';
import { agentHarness } from '../helpers/agents.ts';
import { cleanEnv, freePort } from '../helpers/instance.ts';
import { buildApp, routesOf } from '../../apps/server/app.ts';
import { createAgentDeps } from '../../apps/agents/index.ts';
import { createHookStore } from '../../apps/server/agents/hook-events.ts';
import { createStatusMonitor } from '../../apps/server/agents/status-monitor.ts';
import { createHub } from '../../apps/server/ws/hub.ts';
import { openHistory } from '../../apps/core/src/index.ts';

const TOKEN = 'web-security-token-0123456789';
const PUBLIC = new Set(['GET /health', 'GET /api/webhooks/health', 'GET /', 'GET /assets/*', 'GET /favicon.ico', 'POST /api/login', 'POST /api/logout']);

describe('web security of the running server', { timeout: 120_000 }, () => {
  const harness = agentHarness({ CMUX_TOKEN: TOKEN });
  const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
  let config: CmuxConfig;
  let server: ReturnType<typeof createServer>;
  let base: string;
  // node:http, because fetch will not send a Host or Origin header of the caller's choosing.
  const raw = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: () => Promise<string> }>((resolve, reject) => {
      const req = request(`${base}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: async () => text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const get = (path: string, headers: Record<string, string> = {}) => raw('GET', path, headers);
  // A one-time login URL, as `cmux open` asks for it.
  const loginUrl = async () => {
    const res = await raw('POST', '/api/login/code', { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, '{}');
    assert.equal(res.status, 201);
    return new URL((JSON.parse(await res.text()) as { url: string }).url);
  };
  // The session cookie a browser gets from opening a fresh login URL.
  const sessionCookie = async () => {
    const url = await loginUrl();
    const res = await get(`${url.pathname}${url.search}`);
    assert.equal(res.status, 302);
    return String(res.headers['set-cookie']).split(';')[0]!;
  };

  before(async () => {
    const port = await freePort();
    config = loadConfig({ env: { ...cleanEnv(), CMUX_HOME: harness.home, CMUX_TMUX_SOCKET: `${harness.base}/tmux.sock`, CMUX_PORT: String(port), CMUX_TOKEN: TOKEN }, cwd: harness.base });
    server = createServer(config, quiet);
    await server.start();
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await server.stop();
    await harness.cleanup();
  });

  it('needs the token on every route but health (and the public login, webhooks authenticate themselves)', async () => {
    const deps = createAgentDeps(config, quiet);
    const hooks = createHookStore();
    const hub = createHub();
    const app = await buildApp({ config, token: TOKEN, logger: quiet, agents: deps, hooks, hub, history: openHistory(config.home), monitor: createStatusMonitor(deps, hooks, hub, quiet) });
    const guarded = routesOf(app).filter((r) => !PUBLIC.has(r));
    await app.close();
    assert.ok(guarded.length >= 20);
    for (const route of guarded) {
      const [method, url] = route.split(' ') as [string, string];
      const res = await fetch(`${base}${url.replace(':id', 'w1').replace(':source', 'ci')}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
      });
      assert.equal(res.status, 401, `${route} without the token answered ${res.status}`);
    }
  });

  it('compares the token in constant time', () => {
    const original = crypto.timingSafeEqual;
    let calls = 0;
    crypto.timingSafeEqual = (a, b) => {
      calls += 1;
      return original(a, b);
    };
    syncBuiltinESMExports();
    try {
      assert.equal(tokenMatches(TOKEN, TOKEN), true);
      assert.equal(tokenMatches('short', TOKEN), false);
      assert.equal(tokenMatches(`${TOKEN}x`, TOKEN), false);
      assert.equal(calls, 3, 'every comparison, whatever the lengths, goes through timingSafeEqual');
    } finally {
      crypto.timingSafeEqual = original;
      syncBuiltinESMExports();
    }
  });

  it('logs the dashboard in by a one-time code: a random HttpOnly, SameSite=Strict session that expires; the URL works once (L2)', async () => {
    const url = await loginUrl();
    assert.equal(url.origin, base);
    assert.ok(!url.search.includes(TOKEN), 'the token is not in the URL');
    const first = await get(`${url.pathname}${url.search}`);
    assert.equal(first.status, 302);
    const cookie = String(first.headers['set-cookie'] ?? '');
    assert.match(cookie, /^cmux_session=[A-Za-z0-9_-]{40,};/);
    assert.ok(!cookie.includes(TOKEN), 'the cookie is not the token');
    for (const attribute of [/HttpOnly/, /SameSite=Strict/, /Max-Age=\d+/]) assert.match(cookie, attribute);
    const session = cookie.split(';')[0]!;
    assert.equal((await get('/api/agents', { cookie: session })).status, 200);
    const again = await get(`${url.pathname}${url.search}`);
    assert.equal(again.status, 401, 'the URL left in the history is worthless');
    assert.equal(again.headers['set-cookie'], undefined);
    assert.match(await again.text(), /npx cmux open/);
    assert.equal((await get('/?code=made-up-code')).status, 401);
    const bookmark = await get(`/?token=${TOKEN}`);
    assert.equal(bookmark.status, 400);
    assert.equal(bookmark.headers['set-cookie'], undefined, 'the token in a URL buys no session');
    assert.match(await bookmark.text(), /npx cmux open/);
    assert.equal((await get('/api/agents', { cookie: `cmux_token=${TOKEN}` })).status, 401, 'a cookie holding the token is not a session');
  });

  it('logout ends the session on the server; the token keeps working for scripts', async () => {
    const session = await sessionCookie();
    const other = await sessionCookie();
    assert.equal((await raw('POST', '/api/logout', { cookie: session }, '')).status, 204);
    assert.equal((await get('/api/agents', { cookie: session })).status, 401, 'a copy of the logged-out cookie is worthless');
    assert.equal((await get('/api/agents', { cookie: other })).status, 200, 'another session lives on');
    assert.equal((await get('/api/agents', { authorization: `Bearer ${TOKEN}` })).status, 200);
  });

  it('refuses a Host header that is not its own (DNS rebinding)', async () => {
    const port = new URL(base).port;
    assert.equal((await get('/health', { host: `attacker.example:${port}` })).status, 421);
    assert.equal((await get('/api/agents', { host: `attacker.example:${port}`, authorization: `Bearer ${TOKEN}` })).status, 421);
    assert.equal((await get('/health', { host: `localhost:${port}` })).status, 200);
    assert.equal((await get('/health', { host: `127.0.0.1:${port}` })).status, 200);
  });

  it('refuses a WebSocket from a foreign Origin, even with the cookie', async () => {
    const cookie = await sessionCookie();
    const status = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, { origin, headers: { cookie } });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('error', () => resolve(-1));
      });
    assert.equal(await status('http://evil.example'), 403);
    assert.equal(await status(base), 101);
  });

  it('answers junk on the WebSocket with an error frame and stays up; drops an oversized frame', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/ws?token=${TOKEN}`);
    const frames: Array<{ event: string; data: { error?: string } }> = [];
    ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    for (const junk of ['not json', '{"subscribe": 42}', '{"subscribe": "../x"}', '{"subscribe": "a b"}', '[]', '{"subscribe": "nobody"}']) ws.send(junk);
    const errors = await eventually(async () => frames.filter((f) => f.event === 'error'), (list) => list.length >= 6, 10_000);
    assert.equal(errors.length, 6, JSON.stringify(frames));
    assert.match(errors.at(-1)!.data.error ?? '', /no agent "nobody"/);
    assert.equal(ws.readyState, WebSocket.OPEN);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(128 * 1024));
    assert.equal(await closed, 1009, 'a frame over the limit closes the socket');
    assert.equal((await get('/health')).status, 200);
  });

  it('keeps a cross-site form POST away from the agents', async () => {
    const cookie = await sessionCookie();
    const post = (headers: Record<string, string>, body: string) => raw('POST', '/api/agents/w1/message', { cookie, ...headers }, body);
    assert.equal((await post({ origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, 'text=rm+-rf')).status, 403);
    assert.equal((await post({ origin: 'http://evil.example', 'content-type': 'application/json' }, '{"text":"rm -rf"}')).status, 403);
    assert.equal((await post({ 'content-type': 'application/x-www-form-urlencoded' }, 'text=rm+-rf')).status, 415, 'only JSON is taken');
    assert.equal((await post({ 'content-type': 'text/plain' }, '{"text":"rm -rf"}')).status, 415);
  });

  it('never reflects input as HTML', async () => {
    for (const path of ['/<script>alert(1)</script>', '/assets/<script>alert(1)</script>.js', '/api/agents/%3Cscript%3E', '/?token=%3Cscript%3E', '/?code=%3Cscript%3E']) {
      const res = await get(path, { authorization: `Bearer ${TOKEN}` });
      const body = await res.text();
      const type = String(res.headers['content-type'] ?? '');
      assert.doesNotMatch(type, /html/, path);
      assert.ok(!body.includes('<script>alert(1)</script>') || /json/.test(type), path);
    }
  });
});
