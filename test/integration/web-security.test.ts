import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
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
import { sendBytes, sendRaw } from '../helpers/raw-http.ts';

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
  // A dashboard session, as the page gets it from a fresh login URL's code.
  const newSession = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => {
    const res = await raw('POST', '/api/login/code', { ...headers, 'content-type': 'application/json' }, '{}');
    assert.equal(res.status, 201, await res.text());
    const code = new URL((JSON.parse(await res.text()) as { url: string }).url).searchParams.get('code')!;
    const login = await raw('POST', '/api/login', { 'content-type': 'application/json' }, JSON.stringify({ code }));
    assert.equal(login.status, 200, await login.text());
    return (JSON.parse(await login.text()) as { session: string }).session;
  };
  const asSession = (session: string) => ({ 'x-cmux-session': session });

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
      assert.equal(((await res.json()) as { code: string }).code, 'CMUX_ERR_UNAUTHORIZED', route);
    }
  });

  it('refuses a request that arrives while the server stops, in the one error shape', async () => {
    const deps = createAgentDeps(config, quiet);
    const hooks = createHookStore();
    const hub = createHub();
    const app = await buildApp({ config, token: TOKEN, logger: quiet, agents: deps, hooks, hub, history: openHistory(config.home), monitor: createStatusMonitor(deps, hooks, hub, quiet) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    // A dashboard's socket: its close frame says the server has begun to stop.
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=${TOKEN}`);
    await once(ws, 'open');
    const stopping = once(ws, 'close');
    // A request still under way (half its body sent) keeps its connection open through the stop.
    const body = '{"event":"alert","data":{}}';
    const socket = connect({ host: '127.0.0.1', port });
    const answers: Buffer[] = [];
    socket.on('data', (chunk) => answers.push(chunk));
    const started = once(app.server, 'request');
    socket.write(`POST /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    await started;
    const closed = app.close();
    await stopping;
    // The rest of that body, then a request that comes too late.
    socket.write(`${body.slice(5)}GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    await once(socket, 'close');
    await closed;
    const [first, second] = Buffer.concat(answers).toString('utf8').split(/(?=HTTP\/1\.1 )/);
    assert.match(first ?? '', /^HTTP\/1\.1 202 /, 'the request under way finished');
    assert.match(second ?? '', /^HTTP\/1\.1 503 /);
    assert.equal((JSON.parse(second!.split('\r\n\r\n')[1]!) as { code: string }).code, 'CMUX_ERR_NOT_RUNNING');
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

  it('logs the dashboard in by a one-time code the page trades for a session secret it keeps: no cookie, the URL works once (L2, issue 25)', async () => {
    const url = await loginUrl();
    assert.equal(url.origin, base);
    assert.ok(!url.search.includes(TOKEN), 'the token is not in the URL');
    const page = await get(`${url.pathname}${url.search}`);
    assert.equal(page.status, 200, 'the page itself, which trades the code');
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.equal(page.headers['set-cookie'], undefined, 'no cookie: every port of this host would get it');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    const code = url.searchParams.get('code')!;
    const login = await raw('POST', '/api/login', { 'content-type': 'application/json' }, JSON.stringify({ code }));
    assert.equal(login.status, 200);
    assert.equal(login.headers['set-cookie'], undefined);
    assert.equal(login.headers['cache-control'], 'no-store');
    const { session, expiresAt } = JSON.parse(await login.text()) as { session: string; expiresAt: string };
    assert.match(session, /^[A-Za-z0-9_-]{40,}$/);
    assert.ok(!session.includes(TOKEN), 'the session is not the token');
    assert.ok(Date.parse(expiresAt) > Date.now(), 'the session expires');
    assert.equal((await get('/api/agents', asSession(session))).status, 200);
    assert.equal((await get('/api/agents', { cookie: `cmux_session=${session}` })).status, 401, 'the secret opens nothing as a cookie');
    const again = await raw('POST', '/api/login', { 'content-type': 'application/json' }, JSON.stringify({ code }));
    assert.equal(again.status, 401, 'the URL left in the history is worthless');
    assert.equal((await raw('POST', '/api/login', { 'content-type': 'application/json' }, '{"code":"made-up-code"}')).status, 401);
    const bookmark = await get(`/?token=${TOKEN}`);
    assert.equal(bookmark.status, 400);
    assert.match(await bookmark.text(), /cmux open/);
    assert.equal((await get('/api/agents', { cookie: `cmux_token=${TOKEN}` })).status, 401, 'a cookie holding the token is not a session');
    const legacy = await get('/', { cookie: 'cmux_session=from-an-older-cmux' });
    assert.match(String(legacy.headers['set-cookie']), /^cmux_session=; .*Max-Age=0/, 'the cookie of an older cmux is cleared');
  });

  it('logout ends the family of its login: sessions minted from it, and their unused URLs; the token keeps working for scripts', async () => {
    const root = await newSession();
    const child = await newSession(asSession(root));
    const minted = await raw('POST', '/api/login/code', { ...asSession(child), 'content-type': 'application/json' }, '{}');
    const pending = new URL((JSON.parse(await minted.text()) as { url: string }).url).searchParams.get('code')!;
    const other = await newSession();
    assert.equal((await raw('POST', '/api/logout', asSession(root), '')).status, 204);
    for (const ended of [root, child]) assert.equal((await get('/api/agents', asSession(ended))).status, 401, 'a copy of a logged-out session is worthless');
    assert.equal((await raw('POST', '/api/login', { 'content-type': 'application/json' }, JSON.stringify({ code: pending }))).status, 401, 'a URL the family minted died with it');
    assert.equal((await get('/api/agents', asSession(other))).status, 200, 'another login lives on');
    assert.equal((await get('/api/agents', { authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await raw('POST', '/api/logout', {}, '')).status, 204, 'a logout without a session is harmless');
  });

  it('lists and ends sessions with the token only; an unknown or malformed id is refused', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const mine = await newSession();
    const minted = await newSession(asSession(mine));
    const list = async () => JSON.parse(await (await get('/api/sessions', auth)).text()) as Array<{ id: string; via: string; parent: string | null; createdAt: string; lastUsedAt: string; expiresAt: string }>;
    const before = await list();
    const child = before.at(-1)!;
    assert.equal(child.via, 'session-url');
    const parent = before.find((s) => s.id === child.parent)!;
    assert.equal(parent.via, 'login-url');
    assert.ok(before.every((s) => /^[0-9a-f]{16}$/.test(s.id) && !mine.includes(s.id) && !minted.includes(s.id)));
    assert.deepEqual(Object.keys(child).sort(), ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'parent', 'via']);
    for (const [method, path] of [['GET', '/api/sessions'], ['DELETE', '/api/sessions'], ['DELETE', `/api/sessions/${child.id}`]] as const) {
      const refused = await raw(method, path, asSession(mine));
      assert.equal(refused.status, 401, `${method} ${path} with a session`);
      assert.match(await refused.text(), /API token/);
    }
    const unknown = await raw('DELETE', '/api/sessions/0123456789abcdef', auth);
    assert.equal(unknown.status, 404);
    assert.equal((JSON.parse(await unknown.text()) as { code: string }).code, 'CMUX_ERR_SESSION_NOT_FOUND');
    for (const bad of ['xyz', '0123456789ABCDEF', '0123456789abcde', `${child.id}0`, '..%2F..%2Fx']) {
      const malformed = await raw('DELETE', `/api/sessions/${bad}`, auth);
      assert.equal(malformed.status, 400, bad);
      assert.equal((JSON.parse(await malformed.text()) as { field: string }).field, 'id', bad);
    }
    const ended = await raw('DELETE', `/api/sessions/${parent.id}`, auth);
    assert.deepEqual(JSON.parse(await ended.text()), { revoked: 2 }, 'the session and the one it minted');
    assert.equal((await get('/api/agents', asSession(minted))).status, 401);
    await newSession();
    const all = JSON.parse(await (await raw('DELETE', '/api/sessions', auth)).text()) as { revoked: number };
    assert.ok(all.revoked >= 1);
    assert.deepEqual(await list(), []);
  });

  it('no page of cmux can be framed, whatever answers it', async () => {
    for (const [path, headers] of [['/', {}], ['/favicon.ico', {}], ['/health', {}], ['/api/agents', {}], ['/api/agents', { authorization: `Bearer ${TOKEN}` }], ['/no/such/page', {}], ['/assets/nope.js', {}]] as const) {
      const res = await get(path, headers);
      assert.equal(res.headers['x-frame-options'], 'DENY', `${path} → ${res.status}`);
      assert.equal(res.headers['content-security-policy'], "frame-ancestors 'none'", `${path} → ${res.status}`);
    }
  });

  it('refuses a Host header that is not its own (DNS rebinding)', async () => {
    const port = new URL(base).port;
    assert.equal((await get('/health', { host: `attacker.example:${port}` })).status, 421);
    assert.equal((await get('/api/agents', { host: `attacker.example:${port}`, authorization: `Bearer ${TOKEN}` })).status, 421);
    assert.equal((await get('/health', { host: `localhost:${port}` })).status, 200);
    assert.equal((await get('/health', { host: `127.0.0.1:${port}` })).status, 200);
  });

  it('refuses a WebSocket from a foreign Origin, even with a session, and one without the token or a session, in the one error shape', async () => {
    const session = await newSession();
    const open = (protocols: string[], origin?: string) =>
      new Promise<{ status: number; code?: string; protocol?: string }>((resolve) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, protocols, { ...(origin ? { origin } : {}) });
        ws.once('unexpected-response', (_req, res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += String(chunk)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { code?: string }).code }));
        });
        ws.once('open', () => {
          ws.close();
          resolve({ status: 101, protocol: ws.protocol });
        });
        ws.once('error', () => resolve({ status: -1 }));
      });
    const dashboard = ['cmux', `cmux.session.${session}`];
    assert.deepEqual(await open(dashboard, 'http://evil.example'), { status: 403, code: 'CMUX_ERR_FOREIGN_ORIGIN' });
    assert.deepEqual(await open(dashboard, `http://127.0.0.1:${Number(new URL(base).port) + 1}`), { status: 403, code: 'CMUX_ERR_FOREIGN_ORIGIN' }, 'another port is another origin');
    assert.deepEqual(await open([], base), { status: 401, code: 'CMUX_ERR_UNAUTHORIZED' });
    assert.deepEqual(await open(['cmux', 'cmux.session.made-up'], base), { status: 401, code: 'CMUX_ERR_UNAUTHORIZED' });
    assert.deepEqual(await open(dashboard, base), { status: 101, protocol: 'cmux' }, 'the answer names `cmux`, never the session');
  });

  it('answers every refusal with one error body: what is wrong, a stable code, and for bad input the field', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const port = new URL(base).port;
    const refused = async (res: Awaited<ReturnType<typeof raw>>, status: number, code: string) => {
      const text = await res.text();
      assert.equal(res.status, status, text);
      assert.match(String(res.headers['content-type']), /^application\/json/, text);
      const body = JSON.parse(text) as { error: string; code: string; field?: string };
      assert.equal(body.code, code, text);
      assert.ok(typeof body.error === 'string' && body.error.length > 0, text);
      return body;
    };
    await refused(await get('/api/agents'), 401, 'CMUX_ERR_UNAUTHORIZED');
    await refused(await get('/api/no-such-route'), 401, 'CMUX_ERR_UNAUTHORIZED');
    await refused(await get('/api/no-such-route', auth), 404, 'CMUX_ERR_NOT_FOUND');
    await refused(await raw('POST', '/api/login', { 'content-type': 'application/json' }, JSON.stringify({ token: 'not-the-token-at-all' })), 401, 'CMUX_ERR_UNAUTHORIZED');
    await refused(await get('/health', { host: `attacker.example:${port}` }), 421, 'CMUX_ERR_WRONG_HOST');
    await refused(await raw('POST', '/api/messages', { ...json, origin: 'http://evil.example' }, '{}'), 403, 'CMUX_ERR_FOREIGN_ORIGIN');
    await refused(await raw('POST', '/api/messages', { ...auth, 'content-type': 'text/plain' }, '{}'), 415, 'CMUX_ERR_UNSUPPORTED_MEDIA_TYPE');
    await refused(await raw('POST', '/api/messages', json, '{"to": '), 400, 'CMUX_ERR_BAD_REQUEST');
    const subject = await refused(await raw('POST', '/api/messages', json, JSON.stringify({ to: 'user', subject: '' })), 400, 'CMUX_ERR_BAD_REQUEST');
    assert.deepEqual([subject.field, subject.error], ['subject', 'subject: subject is empty']);
    const extra = await refused(await raw('POST', '/api/agents/w1/message', json, JSON.stringify({ text: 'hi', txet: 'typo' })), 400, 'CMUX_ERR_BAD_REQUEST');
    assert.equal(extra.field, 'body');
    assert.match(extra.error, /txet/);
    const limit = await refused(await get('/api/messages?limit=0', auth), 400, 'CMUX_ERR_BAD_REQUEST');
    assert.equal(limit.field, 'limit');
    for (const since of ['yesterday', '2026-13-01T00:00:00Z', `2026-01-01T00:00:00Z&before=3`, encodeURIComponent('2026-01-01T00:00:00Z\n')]) {
      assert.equal((await refused(await get(`/api/messages?since=${since}`, auth), 400, 'CMUX_ERR_BAD_REQUEST')).field, 'since', since);
    }
    assert.equal((await get(`/api/messages?agent=w1&since=${encodeURIComponent('2026-01-01T02:00:00+02:00')}`, auth)).status, 200, 'a time with an offset');
    const lines = await refused(await get('/api/agents/w1/terminal?lines=abc', auth), 400, 'CMUX_ERR_BAD_REQUEST');
    assert.equal(lines.field, 'lines');
    await refused(await get('/api/agents/nobody', auth), 404, 'CMUX_ERR_AGENT_NOT_FOUND');
    await refused(await get(`/api/agents/${'x'.repeat(101)}`, auth), 414, 'CMUX_ERR_URI_TOO_LONG');
    await refused(await get('/api/agents/%ED%A0%80', auth), 400, 'CMUX_ERR_BAD_REQUEST');
    const token = await refused(await get('/?token=x'), 400, 'CMUX_ERR_BAD_REQUEST');
    assert.equal(token.field, 'token');
    await refused(await raw('POST', '/api/login', { 'content-type': 'application/json' }, '{"code":"made-up"}'), 401, 'CMUX_ERR_UNAUTHORIZED');
    await refused(await get('/assets/no-such-file.js'), 404, 'CMUX_ERR_NOT_FOUND');
    const webhook = await refused(await raw('POST', '/api/webhooks/ci', auth), 400, 'CMUX_ERR_BAD_REQUEST');
    assert.deepEqual([webhook.field, webhook.error], ['body', 'body: a JSON body is required (Content-Type: application/json)']);
    // What Node's HTTP parser refuses never reaches a route, and still gets the shape.
    const garbage = await sendBytes(Number(port), 'NOT HTTP AT ALL\r\n\r\n');
    assert.equal(garbage.status, 400, garbage.text);
    assert.match(garbage.type, /^application\/json/);
    assert.equal((JSON.parse(garbage.text) as { code: string }).code, 'CMUX_ERR_BAD_REQUEST');
  });

  it('takes a body of exactly server.bodyLimitBytes, counted in bytes, and refuses one byte more before reading it', async () => {
    const limit = config.server.bodyLimitBytes;
    const json = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    // A message whose JSON is `bytes` long, mostly two-byte characters: fewer characters than bytes.
    const message = (bytes: number) => {
      const [head, tail] = ['{"to":"user","subject":"big","body":"', '"}'];
      const room = bytes - head.length - tail.length;
      return `${head}${'é'.repeat(Math.floor(room / 2))}${'x'.repeat(room % 2)}${tail}`;
    };
    const under = message(limit);
    assert.equal(Buffer.byteLength(under), limit);
    const taken = await raw('POST', '/api/messages', json, under);
    assert.equal(taken.status, 202, await taken.text());
    const over = message(limit + 1);
    assert.equal(Buffer.byteLength(over), limit + 1);
    assert.ok(over.length < limit, 'a limit counted in characters would let it through');
    const port = Number(new URL(base).port);
    for (const path of ['/api/messages', '/api/agents/w1/message', '/api/journal/entry']) {
      const res = await sendRaw(port, 'POST', path, json, over);
      assert.equal(res.status, 413, `${path}: ${res.text}`);
      assert.equal((JSON.parse(res.text) as { code: string }).code, 'CMUX_ERR_BODY_TOO_LARGE', path);
    }
  });

  it('answers junk on the WebSocket with an error frame and stays up; drops an oversized frame', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/ws?token=${TOKEN}`);
    const frames: Array<{ event: string; data: { error?: string; code?: string } }> = [];
    ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    for (const junk of ['not json', '{"subscribe": 42}', '{"subscribe": "../x"}', '{"subscribe": "a b"}', '[]', '{"subscribe": "nobody"}']) ws.send(junk);
    const errors = await eventually(async () => frames.filter((f) => f.event === 'error'), (list) => list.length >= 6, 10_000);
    assert.equal(errors.length, 6, JSON.stringify(frames));
    assert.match(errors.at(-1)!.data.error ?? '', /no agent "nobody"/);
    assert.deepEqual(errors.map((f) => f.data.code), [...Array(5).fill('CMUX_ERR_BAD_REQUEST'), 'CMUX_ERR_AGENT_NOT_FOUND'], 'each error frame has its code');
    assert.equal(ws.readyState, WebSocket.OPEN);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(128 * 1024));
    assert.equal(await closed, 1009, 'a frame over the limit closes the socket');
    assert.equal((await get('/health')).status, 200);
  });

  it('keeps a cross-site form POST away from the agents', async () => {
    const session = asSession(await newSession());
    const post = (headers: Record<string, string>, body: string) => raw('POST', '/api/agents/w1/message', { ...session, ...headers }, body);
    assert.equal((await post({ origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, 'text=rm+-rf')).status, 403);
    assert.equal((await post({ origin: 'http://evil.example', 'content-type': 'application/json' }, '{"text":"rm -rf"}')).status, 403);
    assert.equal((await post({ 'content-type': 'application/x-www-form-urlencoded' }, 'text=rm+-rf')).status, 415, 'only JSON is taken');
    assert.equal((await post({ 'content-type': 'text/plain' }, '{"text":"rm -rf"}')).status, 415);
  });

  it('never reflects input as HTML', async () => {
    // A login URL's code is read by the page's script, never written into the page.
    const page = await get('/?code=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    assert.equal(page.status, 200);
    assert.ok(!(await page.text()).includes('alert(1)'));
    for (const path of ['/<script>alert(1)</script>', '/assets/<script>alert(1)</script>.js', '/api/agents/%3Cscript%3E', '/?token=%3Cscript%3E']) {
      const res = await get(path, { authorization: `Bearer ${TOKEN}` });
      const body = await res.text();
      const type = String(res.headers['content-type'] ?? '');
      assert.doesNotMatch(type, /html/, path);
      assert.ok(!body.includes('<script>alert(1)</script>') || /json/.test(type), path);
    }
  });
});
