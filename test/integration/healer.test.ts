import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildDashboard, checkInBrowser, createLogger, loadConfig, readAlerts, readJournalDay, tmuxClientFromConfig, type CmuxConfig } from '../../apps/core/src/index.ts';
import { createFrontendHealer } from '../../apps/frontend-healer/healer.ts';
import { createServer } from '../../apps/server/server.ts';
import { CHROMIUM } from '../helpers/browser.ts';
import { dashboardCopy } from '../helpers/dashboard-copy.ts';
import { cleanEnv, freePort } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

describe('the frontend healer against a real server and a real build', { timeout: 300_000 }, () => {
  const copy = dashboardCopy();
  const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
  let config: CmuxConfig;
  let server: ReturnType<typeof createServer>;
  let healer: ReturnType<typeof createFrontendHealer>;
  const health = async () => (await fetch(`http://127.0.0.1:${config.server.port}/health`)).json() as Promise<{ status: string; frontend: { status: string; lastHeal: string | null; problem: string | null } }>;
  const mainBundle = () => join(config.frontend.dist, 'assets', readdirSync(join(config.frontend.dist, 'assets')).find((f) => f.endsWith('.js'))!);

  before(async () => {
    // No `npm install` in the copy: its node_modules is the repository's own, linked.
    writeFileSync(join(copy.root, 'user.yaml'), 'healer:\n  maxBuildAttempts: 2\n  reinstallOnFailure: false\n  browserCheck: "off"\n');
    config = loadConfig({
      root: copy.root,
      cwd: copy.root,
      env: { ...cleanEnv(), CMUX_HOME: join(copy.root, 'home'), CMUX_PORT: String(await freePort()), CMUX_TMUX_SOCKET: join(copy.root, 'tmux.sock'), CMUX_HEAL_INTERVAL: '1', CMUX_CONFIG: join(copy.root, 'user.yaml') },
    });
    server = createServer(config, quiet);
    await server.start();
    healer = createFrontendHealer(config, quiet);
  });
  after(async () => {
    await server.stop();
    // The server brought a team up on the copy's tmux socket.
    await tmuxClientFromConfig(config).killServer().catch(() => undefined);
    copy.cleanup();
  });

  it('builds a missing dashboard; health is degraded until then, never 503', async () => {
    const response = await fetch(`http://127.0.0.1:${config.server.port}/health`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { status: string }).status, 'degraded');
    const state = await healer.check();
    assert.equal(state.status, 'healthy', state.problem ?? '');
    const after = await health();
    assert.equal(after.status, 'healthy');
    assert.ok(after.frontend.lastHeal);
    assert.equal((await fetch(`http://127.0.0.1:${config.server.port}/`)).status, 200);
  });

  it('heals a deleted build folder without restarting the server', async () => {
    rmSync(config.frontend.dist, { recursive: true, force: true });
    assert.equal((await health()).status, 'degraded');
    assert.equal((await fetch(`http://127.0.0.1:${config.server.port}/`)).status, 503);
    assert.equal((await healer.check()).status, 'healthy');
    assert.equal((await health()).status, 'healthy');
    assert.equal((await fetch(`http://127.0.0.1:${config.server.port}/`)).status, 200, 'the same server serves the new build');
  });

  it('detects and heals a truncated main bundle and a deleted stylesheet', async () => {
    truncateSync(mainBundle(), 100);
    const truncated = await health();
    assert.equal(truncated.status, 'degraded');
    assert.match(truncated.frontend.problem ?? '', /is not what the build wrote/);
    assert.equal((await healer.check()).status, 'healthy');
    const css = readdirSync(join(config.frontend.dist, 'assets')).find((f) => f.endsWith('.css'))!;
    rmSync(join(config.frontend.dist, 'assets', css));
    assert.match((await health()).frontend.problem ?? '', /is missing/);
    assert.equal((await healer.check()).status, 'healthy');
  });

  it('gives up on a build that keeps failing: backoff, one alert, a journal entry, health says why; a fix heals it', async () => {
    const app = join(copy.root, 'apps', 'dashboard', 'src', 'App.tsx');
    const good = readFileSync(app, 'utf8');
    writeFileSync(app, `${good}\nexport const broken = ;\n`);
    rmSync(config.frontend.dist, { recursive: true, force: true });
    const started = Date.now();
    const attempts: number[] = [];
    const state = await eventually(
      async () => {
        const s = await healer.check();
        attempts.push(Date.now() - started);
        return s;
      },
      (s) => s.gaveUp,
      60_000,
    );
    assert.equal(state.status, 'degraded');
    assert.ok(Date.now() - started >= 2_000, 'the second attempt waited for the backoff');
    const alerts = readAlerts(config.home, 100).filter((a) => a.kind === 'build');
    assert.equal(alerts.length, 1);
    assert.match(readFileSync(readAlerts(config.home, 1)[0]!.file, 'utf8'), /## Build output/);
    const journal = readJournalDay(config.home, new Date().toISOString().slice(0, 10));
    assert.ok(journal.some((e) => e.title === 'The dashboard does not build' && /broken/.test(e.content)), `the journal has the build output: ${JSON.stringify(journal).slice(0, 3000)}`);
    const mail = readFileSync(join(config.home, 'mailbox.jsonl'), 'utf8');
    assert.equal(mail.split('\n').filter((l) => l.includes('"kind"') || l.includes('does not build after')).length, 1, 'one message to the supervisor');
    assert.equal((await health()).status, 'degraded');
    const again = await healer.check();
    assert.equal(again.gaveUp, true, 'it waits instead of building again');
    assert.equal(readAlerts(config.home, 100).filter((a) => a.kind === 'build').length, 1, 'no second alert');

    writeFileSync(app, good);
    const healed = await eventually(() => healer.check(), (s) => s.status === 'healthy', 30_000);
    assert.equal(healed.gaveUp, false);
    assert.equal((await health()).status, 'healthy');
  });

  it('builds once when two heals are asked at the same time', async () => {
    const results = await Promise.all([buildDashboard(copy.root, config.frontend.dist), buildDashboard(copy.root, config.frontend.dist)]);
    assert.deepEqual(results.map((r) => r.ok), [true, true]);
    assert.equal(results.filter((r) => r.joined).length, 1);
    assert.equal(existsSync(`${config.frontend.dist}.build.lock`), false);
  });

  it('sees in a browser an app that throws while it mounts', async () => {
    const url = `http://127.0.0.1:${config.server.port}/`;
    assert.deepEqual(await checkInBrowser(url, CHROMIUM), { ok: true, problem: null });
    rmSync(join(config.frontend.dist, 'build-info.json'));
    appendFileSync(mainBundle(), '\nthrow new Error("the app is broken");\n');
    const broken = await checkInBrowser(url, CHROMIUM);
    assert.equal(broken.ok, false);
    assert.match(broken.problem ?? '', /the app is broken/);
  });

  it('checks in a browser from its own loop, once per browserIntervalSeconds, and heals what it sees', async () => {
    const build = await buildDashboard(copy.root, config.frontend.dist);
    assert.equal(build.ok, true, build.output.slice(-500));
    writeFileSync(join(copy.root, 'browser.yaml'), `healer:\n  browserCheck: "on"\n  browserPath: ${CHROMIUM}\n  browserIntervalSeconds: 3600\n  reinstallOnFailure: false\n`);
    const browsing = createFrontendHealer(
      loadConfig({ root: copy.root, cwd: copy.root, env: { ...cleanEnv(), CMUX_HOME: config.home, CMUX_PORT: String(config.server.port), CMUX_TMUX_SOCKET: join(copy.root, 'tmux.sock'), CMUX_CONFIG: join(copy.root, 'browser.yaml') } }),
      quiet,
    );
    // The first check of a healer opens the page; this one mounts and the build stays.
    const first = await browsing.check();
    assert.equal(first.status, 'healthy', first.problem ?? '');
    const lastHeal = first.lastHeal;
    // Broken so that only a browser can tell: the files are all there and served.
    rmSync(join(config.frontend.dist, 'build-info.json'));
    appendFileSync(mainBundle(), '\nthrow new Error("the app is broken");\n');
    const within = await browsing.check();
    assert.equal(within.lastHeal, lastHeal, 'no browser check before the interval is over');
    assert.match(readFileSync(mainBundle(), 'utf8'), /the app is broken/);

    const next = createFrontendHealer(
      loadConfig({ root: copy.root, cwd: copy.root, env: { ...cleanEnv(), CMUX_HOME: config.home, CMUX_PORT: String(config.server.port), CMUX_TMUX_SOCKET: join(copy.root, 'tmux.sock'), CMUX_CONFIG: join(copy.root, 'browser.yaml') } }),
      quiet,
    );
    const healed = await next.check();
    assert.notEqual(healed.lastHeal, lastHeal, 'the browser saw it and the healer rebuilt');
    assert.equal(healed.status, 'healthy', healed.problem ?? '');
    assert.doesNotMatch(readFileSync(mainBundle(), 'utf8'), /the app is broken/);
  });
});
