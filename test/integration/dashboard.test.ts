import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { apiClient } from '../helpers/api.ts';
import { launchBrowser, startedWithWorker } from '../helpers/browser.ts';
import type { TestInstance } from '../helpers/instance.ts';
import { storedMessages } from '../helpers/load.ts';
import { screenshotFile } from '../helpers/screenshots.ts';
import { eventually } from '../helpers/tmux.ts';

describe('the dashboard in a real Chromium', { timeout: 300_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  // The one-time URL `cmux start` printed.
  let printedUrl: string;
  const url = (path = '/') => `http://127.0.0.1:${cmux.port}${path}`;
  const shot = (name: string) => page.screenshot({ path: screenshotFile(name), fullPage: true });
  // The session secret the page keeps in its own origin's storage.
  const pageSession = () => page.evaluate('localStorage.getItem("cmux-session")') as Promise<string | null>;

  before(async () => {
    ({ cmux, api, printedUrl: printedUrl } = await startedWithWorker());
    browser = await launchBrowser();
    page = await (await browser.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  });
  after(async () => {
    await browser?.close();
    await cmux?.cleanup();
  });

  it('without the token: a login prompt and no data', async () => {
    const blocked = await page.request.get(url('/api/agents'));
    assert.equal(blocked.status(), 401);
    await page.goto(url());
    await page.getByText('This dashboard needs the access token').waitFor();
    assert.equal(await page.locator('[data-agent]').count(), 0);
    await shot('login');
    await page.getByLabel('token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('That token is not right.').waitFor();
  });

  it('with the printed one-time URL: a session secret in the page\'s own storage, no cookie, the code gone from the address; the supervisor and a worker with status', async () => {
    assert.match(printedUrl, new RegExp(`^${url('/')}\\?code=[A-Za-z0-9_-]+$`));
    assert.ok(!printedUrl.includes(api.token()), 'the token is not in the URL');
    await page.goto(printedUrl);
    await page.locator('[data-agent="supervisor"]').waitFor();
    assert.equal(page.url(), url('/'), 'the code leaves the address bar');
    assert.deepEqual(await page.context().cookies(), [], 'no cookie: every port of this host would get it');
    const session = await pageSession();
    assert.match(session ?? '', /^[A-Za-z0-9_-]{40,}$/);
    assert.notEqual(session, api.token());
    const replay = await (await browser.browser.newContext()).newPage();
    await replay.goto(printedUrl);
    await replay.getByText('This login link was used already or has expired').waitFor();
    await replay.getByText('This dashboard needs the access token').waitFor();
    assert.equal(replay.url(), url('/'), 'a used code leaves the address too');
    await replay.context().close();
    await page.locator('[data-agent="api-worker"] [data-status="idle"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-connection="live"]').waitFor();
  });

  it('opens the dashboard, not a login or an error, when a used login link is opened again while logged in (issue 26)', async () => {
    const session = await pageSession();
    await page.goto(printedUrl);
    await page.locator('[data-agent="api-worker"]').waitFor();
    await page.locator('[data-connection="live"]').waitFor();
    assert.equal(await page.evaluate('document.contentType'), 'text/html');
    assert.equal(await page.getByText('This dashboard needs the access token').count(), 0);
    assert.equal(await page.getByText('was used already').count(), 0);
    assert.equal(await pageSession(), session, 'the session the page kept still holds');
    assert.equal(page.url(), url('/'), 'the code leaves the address');
  });

  it('a page on another local port gets no usable credential and cannot frame the logged-in dashboard (issue 25)', async () => {
    const pwned = join(cmux.base, 'pwned');
    // Another local web server, as a dev server running a dependency's code would be: it keeps
    // whatever the browser sends it, and its page frames the dashboard and opens its WebSocket.
    const received: IncomingHttpHeaders[] = [];
    const reports: string[] = [];
    const other = createHttpServer((request, response) => {
      received.push(request.headers);
      if (request.url?.startsWith('/report?')) {
        reports.push(decodeURIComponent(request.url.slice('/report?'.length)));
        response.end();
        return;
      }
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><iframe id="victim" src="${url('/')}" width="800" height="600"></iframe><script>
        victim.onload = () => fetch('/report?frame-loaded');
        const ws = new WebSocket('ws://127.0.0.1:${cmux.port}/api/ws');
        ws.onopen = () => fetch('/report?ws-open');
        ws.onclose = () => fetch('/report?ws-closed');
      </script>`);
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const attacker = await page.context().newPage();
    try {
      await attacker.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      await eventually(async () => reports, (r) => r.includes('frame-loaded') && (r.includes('ws-open') || r.includes('ws-closed')), 20_000);
      assert.ok(!reports.includes('ws-open'), `the browser's WebSocket from the other port was let in: ${reports.join(', ')}`);
      // Whatever the browser handed the other port, replayed against cmux's API, opens nothing.
      const cookies = [...new Set(received.map((h) => h.cookie).filter((c): c is string => c !== undefined))];
      const replays: Array<Record<string, string>> = [{}, ...cookies.map((cookie) => ({ cookie }))];
      for (const headers of replays) {
        const what = JSON.stringify(headers);
        const call = (method: string, path: string, body?: unknown) =>
          fetch(url(path), { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
        assert.equal((await call('POST', '/api/login/code', {})).status, 401, `POST /api/login/code with ${what}`);
        assert.equal((await call('POST', '/api/agents', { name: 'pwn', command: `touch ${pwned}` })).status, 401, `POST /api/agents with ${what}`);
        assert.equal((await call('GET', '/api/agents')).status, 401, `GET /api/agents with ${what}`);
        const upgrade = await new Promise<number>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${cmux.port}/api/ws`, { headers });
          ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
          ws.once('open', () => {
            ws.close();
            resolve(101);
          });
          ws.once('error', () => resolve(-1));
        });
        assert.equal(upgrade, 401, `WS /api/ws with ${what}`);
      }
      assert.equal(existsSync(pwned), false, 'no command ran');

      // The frame: the dashboard's headers forbid it, and Chromium shows no dashboard in it.
      const frame = await (await attacker.$('#victim'))!.contentFrame();
      assert.equal(await frame!.locator('#root').count(), 0, `the dashboard rendered inside the other port's page (${frame!.url()})`);
      const served = await fetch(url('/'), { signal: AbortSignal.timeout(10_000) });
      assert.equal(served.headers.get('x-frame-options'), 'DENY');
      assert.equal(served.headers.get('content-security-policy'), "frame-ancestors 'none'");
      await page.locator('[data-connection="live"]').waitFor();
    } finally {
      await attacker.close();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('spawns a worker from the page: it appears in the list and in tmux', async () => {
    await page.getByLabel('worker name').fill('page-worker');
    await page.getByLabel('task').fill('hello from the page');
    await page.getByRole('button', { name: 'Spawn' }).click();
    await page.locator('[data-agent="page-worker"]').waitFor({ timeout: 15_000 });
    const windows = (await execa('tmux', ['-S', cmux.socket, 'list-windows', '-a', '-F', '#{window_name}'], { timeout: 5_000 })).stdout.split('\n');
    assert.ok(windows.includes('page-worker'), windows.join(','));
    await page.locator('[data-agent="page-worker"] [data-status="idle"]').waitFor({ timeout: 20_000 });
    await shot('agents');
  });

  it('sends a multi-line message from the page: it arrives byte-exact and the terminal shows the reply', async () => {
    await page.locator('[data-agent="page-worker"]').click();
    const lines = ['first line: "quotes" $VAR `tick`', '\tsecond line with a tab', 'third line ünïcødé ✓'];
    const box = page.getByLabel('message');
    for (const [i, line] of lines.entries()) {
      await box.pressSequentially(line);
      if (i < lines.length - 1) await box.press('Shift+Enter');
    }
    await box.press('Enter');
    const text = lines.join('\n');
    const stored = await eventually(async () => storedMessages(cmux.home).find((m) => m.to === 'page-worker' && m.body === text), (m) => m?.status === 'delivered', 20_000);
    assert.equal(stored!.body, text);
    const terminal = page.getByTestId('terminal');
    await eventually(async () => (await terminal.getAttribute('data-text')) ?? '', (t) => t.includes(`Done: received ${Buffer.byteLength(text)} bytes in 3 line(s)`), 20_000);
    assert.match((await terminal.getAttribute('data-text')) ?? '', /> first line: "quotes" \$VAR `tick` \(\+2 lines\)/);
    await shot('agent-view');
  });

  it('shows the conversation in the messages view', async () => {
    await page.getByRole('button', { name: 'Messages' }).click();
    await page.getByText('hello from the page').first().waitFor();
    await shot('messages');
  });

  it('shows a log error as an alert, and a killed router restarted, in the system view', async () => {
    appendFileSync(join(cmux.home, 'logs', 'cmux-router.err.log'), `${new Date().toISOString()} ERROR [cmux-router] the flux capacitor overheated\n`);
    const status = JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; pid: number }> };
    process.kill(status.apps.find((a) => a.name === 'cmux-router')!.pid, 'SIGKILL');
    await page.getByRole('button', { name: 'System' }).click();
    await page.getByText('the flux capacitor overheated').first().waitFor({ timeout: 20_000 });
    // First PM2 itself, then the page.
    await eventually(async () => (await api.call<Array<{ name: string; restarts: number }>>('GET', '/api/processes')).body.find((p) => p.name === 'cmux-router')?.restarts ?? 0, (n) => n >= 1, 30_000);
    await page.waitForFunction('Number(document.querySelector(\'[data-app="cmux-router"] [data-restarts]\')?.getAttribute("data-restarts")) >= 1', undefined, { timeout: 20_000 });
    const routerLog = readFileSync(join(cmux.home, 'logs', 'cmux-router.err.log'), 'utf8');
    assert.doesNotMatch(routerLog, /crashed/, 'the router only restarted because it was killed');
    await shot('system');
  });

  it('fits a phone-sized screen, in the light theme too', async () => {
    await page.getByRole('button', { name: 'Agents' }).click();
    await page.getByLabel('switch theme').click();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('[data-agent="supervisor"]').waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as number;
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await shot('phone-light');
  });

  it('logs out: the session ends on the server, and `cmux open` prints a fresh URL that logs in again', async () => {
    const session = await pageSession();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('This dashboard needs the access token').waitFor();
    assert.equal(await pageSession(), null, 'the page forgot it');
    const stale = await fetch(url('/api/agents'), { headers: { 'x-cmux-session': session! } });
    assert.equal(stale.status, 401, 'a copy of the old session is worthless');
    const open = await cmux.cli(['open']);
    assert.equal(open.exitCode, 0, String(open.stderr));
    const fresh = /dashboard: (\S+)/.exec(String(open.stdout))![1]!;
    assert.notEqual(fresh, printedUrl);
    await page.goto(fresh);
    await page.locator('[data-agent="supervisor"]').waitFor();
  });

  it('`cmux sessions` lists the sessions; `revoke <id>` ends one (its page asks for a login), a bad or unknown id is refused, `--all` ends the rest', async () => {
    const id = createHash('sha256').update((await pageSession())!).digest('hex').slice(0, 16);
    const listed = await cmux.cli(['sessions', '--json']);
    assert.equal(listed.exitCode, 0, String(listed.stderr));
    const mine = (JSON.parse(String(listed.stdout)) as Array<{ id: string; via: string; parent: string | null }>).find((s) => s.id === id);
    assert.deepEqual([mine?.via, mine?.parent], ['login-url', null], String(listed.stdout));
    const table = await cmux.cli(['sessions']);
    assert.match(String(table.stdout), new RegExp(`^${id}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  .+  login-url$`, 'm'));
    for (const [args, error] of [[['xyz'], /id: a session id is the 16 hex digits/], [[], /give either one session id/], [[id, '--all'], /give either one session id/]] as const) {
      const refused = await cmux.cli(['sessions', 'revoke', ...args]);
      assert.equal(refused.exitCode, 2, `revoke ${args.join(' ')}: ${String(refused.stderr)}`);
      assert.match(String(refused.stderr), error);
    }
    const unknown = await cmux.cli(['sessions', 'revoke', '0123456789abcdef']);
    assert.equal(unknown.exitCode, 1);
    assert.match(String(unknown.stderr), /no live session 0123456789abcdef/);
    const revoked = await cmux.cli(['sessions', 'revoke', id]);
    assert.equal(revoked.exitCode, 0, String(revoked.stderr));
    assert.equal(String(revoked.stdout).trim(), 'ended 1 session');
    await page.reload();
    await page.getByText('This dashboard needs the access token').waitFor();
    const all = await cmux.cli(['sessions', 'revoke', '--all', '--json']);
    assert.equal(all.exitCode, 0, String(all.stderr));
    assert.equal(typeof (JSON.parse(String(all.stdout)) as { revoked: number }).revoked, 'number');
    assert.equal(String((await cmux.cli(['sessions'])).stdout).trim(), 'no dashboard sessions');
  });
});
