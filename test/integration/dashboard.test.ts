import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
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

  it('with the printed one-time URL: a session cookie (HttpOnly, SameSite=Strict), the supervisor and a worker with status', async () => {
    assert.match(printedUrl, new RegExp(`^${url('/')}\\?code=[A-Za-z0-9_-]+$`));
    assert.ok(!printedUrl.includes(api.token()), 'the token is not in the URL');
    await page.goto(printedUrl);
    assert.equal(page.url(), url('/'), 'the code leaves the address bar');
    const [cookie] = await page.context().cookies();
    assert.equal(cookie?.name, 'cmux_session');
    assert.notEqual(cookie?.value, api.token());
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.ok((cookie?.expires ?? -1) > Date.now() / 1000, 'the session expires');
    const replay = await (await browser.browser.newContext()).newPage();
    await replay.goto(printedUrl);
    await replay.getByText('This login link was used already or has expired').waitFor();
    await replay.context().close();
    await page.locator('[data-agent="supervisor"]').waitFor();
    await page.locator('[data-agent="api-worker"] [data-status="idle"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-connection="live"]').waitFor();
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
    const [session] = await page.context().cookies();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('This dashboard needs the access token').waitFor();
    const stale = await fetch(url('/api/agents'), { headers: { cookie: `cmux_session=${session!.value}` } });
    assert.equal(stale.status, 401, 'a copy of the old cookie is worthless');
    const open = await cmux.cli(['open']);
    assert.equal(open.exitCode, 0, String(open.stderr));
    const fresh = /dashboard: (\S+)/.exec(String(open.stdout))![1]!;
    assert.notEqual(fresh, printedUrl);
    await page.goto(fresh);
    await page.locator('[data-agent="supervisor"]').waitFor();
  });
});
