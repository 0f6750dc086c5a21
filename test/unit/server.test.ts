import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger, describeFrontend, isCmuxError, loadConfig, openHistory, tmuxClientFromConfig, type CmuxConfig, type FrontendState } from '../../apps/core/src/index.ts';
import { createAgentDeps } from '../../apps/agents/index.ts';
import { buildApp, type AppDeps } from '../../apps/server/app.ts';
import { ATTEMPT_BURST, ATTEMPT_REFILL_MS, clientOf, createAttemptGuard } from '../../apps/server/auth/attempts.ts';
import { createSessions } from '../../apps/server/auth/sessions.ts';
import { createHookStore } from '../../apps/server/agents/hook-events.ts';
import { createStatusMonitor } from '../../apps/server/agents/status-monitor.ts';
import { createHub } from '../../apps/server/ws/hub.ts';
import { isLoopback } from '../../apps/core/src/config/index.ts';
import { ensureAgentToken, ensureToken } from '../../apps/server/auth/token.ts';
import { createServer } from '../../apps/server/server.ts';
import { freePort } from '../helpers/instance.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-server-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });

function configFor(name: string, env: NodeJS.ProcessEnv = {}): CmuxConfig {
  return loadConfig({ env: { CMUX_HOME: join(dir, name), CMUX_TMUX_SOCKET: join(dir, 'tmux.sock'), ...env }, cwd: dir });
}

// The HTTP app over real services; no tmux server runs, so the agent list is empty.
function appFor(config: CmuxConfig, token: string, agentToken?: string, extra: Partial<AppDeps> = {}) {
  const agents = createAgentDeps(config, quiet);
  const hooks = createHookStore();
  const hub = createHub();
  const history = openHistory(config.home);
  return buildApp({ config, token, ...(agentToken ? { agentToken } : {}), logger: quiet, agents, hooks, hub, history, monitor: createStatusMonitor(agents, hooks, hub, quiet), ...extra });
}

describe('server routes', () => {
  const token = 'test-token-0123456789abcdef';

  it('answers health without a token, degraded while no frontend is built', async () => {
    const noDist = join(dir, 'no-dist.yaml');
    writeFileSync(noDist, `frontend:\n  dist: ${join(dir, 'no-dist')}\n`);
    const app = await appFor(configFor('h', { CMUX_CONFIG: noDist }), token);
    for (const url of ['/api/webhooks/health', '/health']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200);
      const body = res.json() as { status: string; api: string; frontend: Record<string, unknown> };
      assert.equal(body.api, 'healthy');
      assert.equal(body.status, 'degraded');
      assert.deepEqual(Object.keys(body.frontend).sort(), ['browser', 'indexExists', 'jsBundles', 'lastCheck', 'lastHeal', 'problem', 'served', 'status']);
      assert.equal(body.frontend.indexExists, false);
    }
    await app.close();
  });

  it('reports a complete build as healthy and a missing bundle as degraded', async () => {
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<html><script type="module" src="/assets/main.js"></script></html>');
    const userConfig = join(dir, 'front.yaml');
    writeFileSync(userConfig, `frontend:\n  dist: ${dist}\n`);
    const app = await appFor(configFor('f', { CMUX_CONFIG: userConfig }), token);
    assert.equal((await app.inject({ url: '/health' })).json().status, 'degraded', 'the script is referenced but missing');
    writeFileSync(join(dist, 'assets', 'main.js'), 'console.log(1)');
    const body = (await app.inject({ url: '/health' })).json() as { status: string; frontend: { jsBundles: number } };
    assert.equal(body.status, 'healthy');
    assert.equal(body.frontend.jsBundles, 1);
    await app.close();
  });

  it('sends a file the build also wrote compressed in the encoding the client asks for, with Vary; the file itself to a client that asks for none (issue 26)', async () => {
    const dist = join(dir, 'dist-compressed');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    const main = Buffer.from(`console.log(${JSON.stringify('x'.repeat(4_000))});\n`);
    writeFileSync(join(dist, 'index.html'), '<html><script type="module" src="/assets/main.js"></script></html>');
    writeFileSync(join(dist, 'assets', 'main.js'), main);
    writeFileSync(join(dist, 'assets', 'main.js.gz'), gzipSync(main));
    writeFileSync(join(dist, 'assets', 'main.js.br'), brotliCompressSync(main));
    writeFileSync(join(dist, 'assets', 'small.js'), 'console.log(1)');
    const userConfig = join(dir, 'compressed.yaml');
    writeFileSync(userConfig, `frontend:\n  dist: ${dist}\n`);
    const app = await appFor(configFor('c', { CMUX_CONFIG: userConfig }), token);
    const cases: Array<[string | undefined, string | undefined]> = [
      [undefined, undefined],
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip', 'gzip'],
      ['GZip', 'gzip'],
      ['br;q=0, gzip;q=0.5', 'gzip'],
      ['gzip;q=0', undefined],
      ['identity', undefined],
      ['*', 'br'],
      ['br;q=0, *', 'gzip'],
      ['*;q=0', undefined],
      ['gzip;q=nonsense, deflate', undefined],
      ['', undefined],
    ];
    const decode: Record<string, (b: Buffer) => Buffer> = { gzip: gunzipSync, br: brotliDecompressSync };
    for (const [accept, encoding] of cases) {
      const res = await app.inject({ url: '/assets/main.js', headers: accept === undefined ? {} : { 'accept-encoding': accept } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-encoding'], encoding, String(accept));
      assert.equal(res.headers.vary, 'accept-encoding', String(accept));
      assert.match(String(res.headers['content-type']), /^text\/javascript/);
      assert.deepEqual(encoding ? decode[encoding]!(res.rawPayload) : res.rawPayload, main, String(accept));
    }
    // A file changed after the build, or a damaged copy: what goes out is always the file's bytes.
    const changed = Buffer.concat([main, Buffer.from('\nthrow new Error("changed after the build");\n')]);
    writeFileSync(join(dist, 'assets', 'main.js'), changed);
    for (const accept of ['br', 'gzip', 'gzip, br']) {
      const res = await app.inject({ url: '/assets/main.js', headers: { 'accept-encoding': accept } });
      assert.equal(res.headers['content-encoding'], undefined, `${accept}: the copies are of what the file was`);
      assert.deepEqual(res.rawPayload, changed);
    }
    writeFileSync(join(dist, 'assets', 'main.js.gz'), gzipSync(changed));
    writeFileSync(join(dist, 'assets', 'main.js.br'), Buffer.from('not brotli at all'));
    const mended = await app.inject({ url: '/assets/main.js', headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(mended.headers['content-encoding'], 'gzip', 'the damaged brotli copy is passed over');
    assert.deepEqual(gunzipSync(mended.rawPayload), changed);
    const small = await app.inject({ url: '/assets/small.js', headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(small.headers['content-encoding'], undefined, 'no copy: the file as it is');
    assert.equal(small.headers.vary, undefined);
    assert.equal(small.body, 'console.log(1)');
    await app.close();
  });

  it('sees a bundle changed in place, same size, at the next request (hashes are kept only while a file is untouched)', async () => {
    const dist = join(dir, 'dist-hashed');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<html><script type="module" src="/assets/main.js"></script></html>');
    writeFileSync(join(dist, 'assets', 'main.js'), 'console.log(1)');
    const sha256 = createHash('sha256').update('console.log(1)').digest('hex');
    writeFileSync(join(dist, 'build-info.json'), JSON.stringify({ builtAt: new Date().toISOString(), files: { 'assets/main.js': { size: 14, sha256 } } }));
    const userConfig = join(dir, 'hashed.yaml');
    writeFileSync(userConfig, `frontend:\n  dist: ${dist}\n`);
    const app = await appFor(configFor('hashed', { CMUX_CONFIG: userConfig }), token);
    const frontend = async () => (await app.inject({ url: '/health' })).json().frontend as FrontendState;
    assert.equal((await frontend()).status, 'healthy');
    assert.equal((await frontend()).status, 'healthy', 'asked again: the kept hash');
    writeFileSync(join(dist, 'assets', 'main.js'), 'console.log(2)');
    const changed = await frontend();
    assert.equal(changed.status, 'degraded');
    assert.equal(describeFrontend(changed), 'degraded: assets/main.js is not what the build wrote (14 bytes, built 14)');
    assert.equal(describeFrontend({ status: 'healthy', served: true, browser: 'pending', problem: null }), 'healthy (served; browser check pending)');
    assert.equal(describeFrontend({ status: 'healthy', served: true, browser: 'off', problem: null }), 'healthy (served)');
    await app.close();
  });

  it('needs the token on every other route: header or query (the key spelled literally), never a cookie; compared exactly', async () => {
    const sessions = createSessions();
    const app = await appFor(configFor('a'), token, undefined, { sessions });
    const session = sessions.open().session;
    const cases: Array<[Record<string, string>, string, number]> = [
      [{}, '/api/processes', 401],
      [{ authorization: 'Bearer wrong' }, '/api/processes', 401],
      [{ authorization: `Bearer ${token}x` }, '/api/processes', 401],
      [{ authorization: `Basic ${token}` }, '/api/processes', 401],
      [{ authorization: `Bearer ${token}` }, '/api/processes', 200],
      [{ cookie: `other=1; cmux_token=${token}` }, '/api/processes', 401],
      [{ cookie: `cmux_session=${token}` }, '/api/processes', 401],
      [{ cookie: `cmux_session=${session}` }, '/api/processes', 401],
      [{}, `/api/processes?token=${token}`, 200],
      [{}, `/api/processes?token=${encodeURIComponent(token)}&lines=1`, 200],
      // A query parser decodes these names to `token`; cmux takes only the literal one (issue 25).
      [{}, `/api/processes?to%6ben=${token}`, 401],
      [{}, `/api/processes?%74oken=${token}`, 401],
      [{}, `/api/processes?token=${token}&token=${token}`, 401],
      [{ 'x-cmux-session': session }, '/api/processes', 200],
      [{ 'x-cmux-session': `${session}x` }, '/api/processes', 401],
      [{ 'x-cmux-session': token }, '/api/processes', 401],
      [{}, '/api/no-such-route', 401],
    ];
    for (const [headers, url, status] of cases) {
      const res = await app.inject({ url, headers });
      assert.equal(res.statusCode, status, `${url} ${JSON.stringify(headers)}`);
      if (status === 401) assert.match(res.json().error, /missing or wrong token/);
    }
    const missing = await app.inject({ url: '/api/no-such-route', headers: { authorization: `Bearer ${token}` } });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().error, /no route GET \/api\/no-such-route/);
    await app.close();
  });
});

describe('login attempts per client (issue 25)', () => {
  const token = 'test-token-0123456789abcdef';

  it(`takes ${ATTEMPT_BURST} wrong tokens or codes at once, then one every ${ATTEMPT_REFILL_MS / 1000} s: 429 with Retry-After, the right token too; a session still works`, async () => {
    let now = 1_000_000;
    const sessions = createSessions(() => now);
    const app = await appFor(configFor('attempts'), token, undefined, { sessions, attempts: createAttemptGuard(quiet, () => now) });
    const session = sessions.open().session;
    const login = (body: object, remoteAddress = '127.0.0.1') => app.inject({ method: 'POST', url: '/api/login', payload: body, remoteAddress });
    for (let i = 0; i < ATTEMPT_BURST / 2; i += 1) {
      assert.equal((await login({ token: `wrong-${i}` })).statusCode, 401);
      assert.equal((await login({ code: `wrong-${i}` }, '127.0.0.2')).statusCode, 401, 'another loopback address is the same client');
    }
    const refused = await login({ token });
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(refused.json().code, 'CMUX_ERR_TOO_MANY_ATTEMPTS');
    assert.equal(refused.headers['retry-after'], String(ATTEMPT_REFILL_MS / 1000));
    const bearer = await app.inject({ url: '/api/processes', headers: { authorization: `Bearer ${token}` }, remoteAddress: '::1' });
    assert.equal(bearer.statusCode, 429, 'the API token counts against the same allowance');
    assert.equal((await app.inject({ url: `/api/processes?token=${token}` })).statusCode, 429);
    assert.equal((await app.inject({ url: '/api/processes', headers: { 'x-cmux-session': session } })).statusCode, 200, 'an open dashboard keeps working');
    assert.equal((await app.inject({ url: '/api/processes' })).statusCode, 401, 'no credential: nothing was tried');
    assert.equal((await login({ token }, '203.0.113.9')).statusCode, 200, 'another client has its own allowance');
    now += ATTEMPT_REFILL_MS - 1_000;
    assert.equal((await login({ token })).headers['retry-after'], '1');
    now += 1_000;
    const back = await login({ token });
    assert.equal(back.statusCode, 200, back.body);
    assert.ok(back.json().session);
    assert.equal((await login({ token: 'wrong-again' })).statusCode, 401);
    assert.equal((await login({ token })).statusCode, 429, 'one try per refill');
    await app.close();
  });

  it('counts every loopback address as one client and an IPv6 host as its /64', () => {
    for (const ip of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) assert.equal(clientOf(ip), 'loopback', ip);
    assert.equal(clientOf('192.0.2.7'), '192.0.2.7');
    assert.equal(clientOf('::ffff:192.0.2.7'), '::ffff:192.0.2.7');
    assert.equal(clientOf('2001:db8:0:1::5'), '2001:db8:0:1::/64');
    assert.equal(clientOf('2001:db8:0:1:aaaa:bbbb:cccc:dddd'), '2001:db8:0:1::/64');
    assert.equal(clientOf('2001:db8::1'), '2001:db8:0:0::/64');
  });
});

describe('the agents\' own token', () => {
  it('reports agent events and opens nothing else', async () => {
    const config = configFor('agent-token');
    const agentToken = ensureAgentToken(config);
    assert.equal(statSync(join(config.home, 'state', 'agent-token')).mode & 0o777, 0o600);
    assert.equal(ensureAgentToken(config), agentToken, 'kept across starts');
    const app = await appFor(config, 'test-token-0123456789abcdef', agentToken);
    const headers = { authorization: `Bearer ${agentToken}` };
    const event = await app.inject({ method: 'POST', url: '/api/agent-events', headers, payload: { agent: 'w1', event: 'Stop', payload: {} } });
    assert.equal(event.statusCode, 202);
    for (const [method, url] of [['GET', '/api/agents'], ['GET', '/api/agent-events'], ['POST', '/api/messages'], ['GET', '/api/processes']] as const) {
      assert.equal((await app.inject({ method, url, headers, ...(method === 'POST' ? { payload: { to: 'user', subject: 'x' } } : {}) })).statusCode, 401, `${method} ${url}`);
    }
    await app.close();
  });
});

describe('server start', () => {
  it('creates the token file 0600 once and keeps it', () => {
    const config = configFor('token');
    const first = ensureToken(config);
    assert.ok(first.length >= 16);
    assert.equal(statSync(join(config.home, 'token')).mode & 0o777, 0o600);
    assert.equal(ensureToken(config), first);
    assert.equal(readFileSync(join(config.home, 'token'), 'utf8').trim(), first);
  });

  it('uses CMUX_TOKEN when set and writes no file', () => {
    const config = configFor('envtoken', { CMUX_TOKEN: 'from-the-environment-123' });
    assert.equal(ensureToken(config), 'from-the-environment-123');
    assert.throws(() => statSync(join(config.home, 'token')));
  });

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopback(host), true, host);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '128.0.0.1']) assert.equal(isLoopback(host), false, host);
  });

  it('refuses to bind a non-loopback address without a chosen token', async () => {
    const server = createServer(configFor('bind', { CMUX_HOST: '0.0.0.0' }), quiet);
    await assert.rejects(server.start(), (error) => isCmuxError(error, 'CMUX_ERR_UNSAFE_BIND') && /CMUX_TOKEN/.test(error.message));
    await server.stop();
  });

  it('names the holder when its port is taken', async () => {
    const port = await freePort();
    const holder = createNetServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    const server = createServer(configFor('busy', { CMUX_PORT: String(port) }), quiet);
    try {
      await assert.rejects(server.start(), (error) => {
        assert.ok(isCmuxError(error, 'CMUX_ERR_PORT_IN_USE'));
        assert.match(error.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use, held by pid ${process.pid} `));
        return true;
      });
    } finally {
      await server.stop();
      await server.stop();
      holder.close();
    }
  });

  it('serves on its port and stops cleanly, twice', async () => {
    const port = await freePort();
    const config = configFor('serve', { CMUX_PORT: String(port) });
    const server = createServer(config, quiet);
    try {
      await server.start();
      assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
      await Promise.all([server.stop(), server.stop()]);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/health`));
    } finally {
      // The server brought the team up on the test's tmux socket; the test ends that server.
      await tmuxClientFromConfig(config).killServer().catch(() => undefined);
    }
  });
});
