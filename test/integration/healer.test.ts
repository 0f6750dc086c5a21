import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { buildDashboard, checkInBrowser, checkOnDisk, createLogger, loadConfig, readAlerts, readJournalDay, referencedAssets, tmuxClientFromConfig, type CmuxConfig } from '../../apps/core/src/index.ts';
import { createFrontendHealer } from '../../apps/frontend-healer/healer.ts';
import { createServer } from '../../apps/server/server.ts';
import { CHROMIUM } from '../helpers/browser.ts';
import { dashboardCopy } from '../helpers/dashboard-copy.ts';
import { cleanEnv, freePort, processesMentioning } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

describe('the frontend healer against a real server and a real build', { timeout: 600_000 }, () => {
  const copy = dashboardCopy();
  const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
  let config: CmuxConfig;
  let server: ReturnType<typeof createServer>;
  let healer: ReturnType<typeof createFrontendHealer>;
  const health = async () => (await fetch(`http://127.0.0.1:${config.server.port}/health`)).json() as Promise<{ status: string; frontend: { status: string; browser: string; lastHeal: string | null; problem: string | null } }>;
  // The script or stylesheet index.html loads (the build has chunks loaded later too).
  const loaded = (ext: string) => join(config.frontend.dist, referencedAssets(readFileSync(join(config.frontend.dist, 'index.html'), 'utf8')).find((a) => a.endsWith(ext))!);
  const mainBundle = () => loaded('.js');

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
    rmSync(loaded('.css'));
    assert.match((await health()).frontend.problem ?? '', /is missing/);
    assert.equal((await healer.check()).status, 'healthy');
    // A chunk the page loads later (an agent's terminal) is the build's too (issue 26).
    const later = readdirSync(join(config.frontend.dist, 'assets')).find((f) => /^Terminal-.*\.js$/.test(f))!;
    truncateSync(join(config.frontend.dist, 'assets', later), 100);
    assert.match((await health()).frontend.problem ?? '', new RegExp(`assets/${later} is not what the build wrote`));
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

  it('puts the last build back when the sources have not changed; builds afresh when they have, or when its copy is damaged', async () => {
    // The build of the test above is the last one, its copy kept beside the build folder.
    const dist = config.frontend.dist;
    const kept = join(dirname(dist), `.${basename(dist)}.last-build`);
    const info = readFileSync(join(dist, 'build-info.json'), 'utf8');
    rmSync(dist, { recursive: true, force: true });
    const back = await buildDashboard(copy.root, dist, { reuse: true });
    assert.equal(back.reused, true, back.output.slice(-500));
    assert.equal(readFileSync(join(dist, 'build-info.json'), 'utf8'), info, 'the same build, file for file');
    assert.equal(checkOnDisk(dist).ok, true);

    const keptBundle = join(kept, 'assets', readdirSync(join(kept, 'assets')).find((f) => f.endsWith('.js'))!);
    truncateSync(keptBundle, 10);
    rmSync(dist, { recursive: true, force: true });
    const damaged = await buildDashboard(copy.root, dist, { reuse: true });
    assert.equal(damaged.ok, true, damaged.output.slice(-500));
    assert.notEqual(damaged.reused, true, 'a damaged copy is not put back');
    assert.equal(checkOnDisk(dist).ok, true);

    const app = join(copy.root, 'apps', 'dashboard', 'src', 'App.tsx');
    const later = new Date(Date.now() + 2_000);
    utimesSync(app, later, later);
    truncateSync(mainBundle(), 10);
    const changed = await buildDashboard(copy.root, dist, { reuse: true });
    assert.equal(changed.ok, true, changed.output.slice(-500));
    assert.notEqual(changed.reused, true, 'changed sources are built');
    assert.equal(checkOnDisk(dist).ok, true);
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

  it('a rebuild that still fails in the browser is alerted once and not rebuilt until the sources change; health says why', async () => {
    // The bundle is broken from the test above; now the sources are too (it builds, then throws).
    const main = join(copy.root, 'apps', 'dashboard', 'src', 'main.tsx');
    const good = readFileSync(main, 'utf8');
    writeFileSync(main, `throw new Error('broken at runtime');\n${good}`);
    // Browser checks far apart: between them, what the last one found still stands.
    const inBrowser = createFrontendHealer({ ...config, healer: { ...config.healer, browserCheck: 'on', browserPath: CHROMIUM, browserIntervalMs: 3_600_000 } }, quiet);
    const browserAlerts = () => readAlerts(config.home, 100).filter((a) => a.kind === 'browser');
    let restored = false;
    try {
      // The broken bundle passes the cheap checks (its build-info is gone): the browser, looking
      // beside the loop, says what is wrong, and the next check rebuilds.
      await inBrowser.check();
      const seen = await inBrowser.browserChecked();
      assert.equal(seen.browser, 'failed');
      assert.equal(seen.gaveUp, false, 'a build the healer did not just make is rebuilt, not given up on');
      // Healthy as soon as the rebuilt files serve; the browser's verdict follows.
      const rebuilt = await inBrowser.check();
      assert.notEqual(rebuilt.lastHeal, seen.lastHeal);
      assert.equal(rebuilt.status, 'healthy', rebuilt.problem ?? '');
      assert.equal(rebuilt.browser, 'pending');
      const pending = await health();
      assert.deepEqual([pending.status, pending.frontend.browser], ['healthy', 'pending'], 'health says so while the browser looks');
      const first = await inBrowser.browserChecked();
      assert.equal(first.browser, 'failed');
      assert.equal(first.status, 'degraded');
      assert.equal(first.gaveUp, true);
      assert.match(first.problem ?? '', /broken at runtime/, 'the rebuilt page was checked in the browser');
      assert.ok(first.lastHeal);
      assert.equal(browserAlerts().length, 1);
      const built = statSync(join(config.frontend.dist, 'index.html')).mtimeMs;

      for (let i = 0; i < 3; i += 1) {
        const again = await inBrowser.check();
        assert.equal(again.status, 'degraded');
        assert.match(again.problem ?? '', /broken at runtime/);
        assert.equal(again.lastHeal, first.lastHeal, 'no rebuild of the same sources');
      }
      assert.equal(statSync(join(config.frontend.dist, 'index.html')).mtimeMs, built);
      assert.equal(browserAlerts().length, 1, 'one alert');
      const reported = await health();
      assert.equal(reported.status, 'degraded');
      assert.match(reported.frontend.problem ?? '', /broken at runtime/);

      writeFileSync(main, good);
      restored = true;
      const fixed = await inBrowser.check();
      assert.equal(fixed.status, 'healthy', fixed.problem ?? '');
      assert.equal(fixed.gaveUp, false);
      assert.notEqual(fixed.lastHeal, first.lastHeal, 'a change in the sources is rebuilt');
      assert.equal((await health()).status, 'healthy');
      assert.equal((await inBrowser.browserChecked()).browser, 'passed');
      assert.equal((await health()).frontend.browser, 'passed');
      assert.equal(browserAlerts().length, 1);
    } finally {
      if (!restored) writeFileSync(main, good);
      await inBrowser.stop();
    }
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
    await browsing.check();
    const first = await browsing.browserChecked();
    assert.equal(first.status, 'healthy', first.problem ?? '');
    assert.equal(first.browser, 'passed');
    const lastHeal = first.lastHeal;
    // Broken so that only a browser can tell: the files are all there and served.
    rmSync(join(config.frontend.dist, 'build-info.json'));
    appendFileSync(mainBundle(), '\nthrow new Error("the app is broken");\n');
    const within = await browsing.check();
    assert.equal(within.lastHeal, lastHeal, 'no browser check before the interval is over');
    assert.equal((await browsing.browserChecked()).browser, 'passed', 'the last verdict stands');
    assert.match(readFileSync(mainBundle(), 'utf8'), /the app is broken/);
    await browsing.stop();

    const next = createFrontendHealer(
      loadConfig({ root: copy.root, cwd: copy.root, env: { ...cleanEnv(), CMUX_HOME: config.home, CMUX_PORT: String(config.server.port), CMUX_TMUX_SOCKET: join(copy.root, 'tmux.sock'), CMUX_CONFIG: join(copy.root, 'browser.yaml') } }),
      quiet,
    );
    // Its first check opens the page beside the loop; the verdict sends the next check to heal.
    await next.check();
    const seen = await next.browserChecked();
    assert.equal(seen.browser, 'failed');
    assert.match(seen.problem ?? '', /the app is broken/);
    const healed = await next.check();
    assert.notEqual(healed.lastHeal, lastHeal, 'the browser saw it and the healer rebuilt');
    assert.equal(healed.status, 'healthy', healed.problem ?? '');
    assert.doesNotMatch(readFileSync(mainBundle(), 'utf8'), /the app is broken/);
    assert.equal((await next.browserChecked()).browser, 'passed');
    await next.stop();
  });
  const changesDuringCheck: Array<[string, () => void]> = [
    ['deleted', () => rmSync(config.frontend.dist, { recursive: true, force: true })],
    ['truncated in place', () => truncateSync(mainBundle(), 10)],
  ];
  for (const [how, change] of changesDuringCheck) {
    it(`does not judge a build ${how} while the browser looked at it: it is healed, not given up on`, async () => {
      writeFileSync(join(copy.root, 'browser.yaml'), `healer:\n  browserCheck: "on"\n  browserPath: ${CHROMIUM}\n  browserIntervalSeconds: 3600\n  reinstallOnFailure: false\n`);
      const browsing = createFrontendHealer(
        loadConfig({ root: copy.root, cwd: copy.root, env: { ...cleanEnv(), CMUX_HOME: config.home, CMUX_PORT: String(config.server.port), CMUX_TMUX_SOCKET: join(copy.root, 'tmux.sock'), CMUX_CONFIG: join(copy.root, 'browser.yaml') } }),
        quiet,
      );
      rmSync(config.frontend.dist, { recursive: true, force: true });
      // Rebuilds the missing build, then looks at the new one in a browser at once.
      const checking = browsing.check();
      await eventually(async () => processesMentioning(['browser-check-child', `:${config.server.port}/`]).length, (n) => n > 0, 90_000);
      change();
      await checking;
      const during = await browsing.browserChecked();
      assert.equal(during.gaveUp, false, `gave up: ${during.problem ?? ''}`);
      const after = await browsing.check();
      assert.equal(after.status, 'healthy', after.problem ?? '');
      assert.ok(statSync(mainBundle()).size > 10, 'the bundle is whole again');
      await browsing.stop();
    });
  }
});

describe('a dependency reinstall while healing', { timeout: 120_000 }, () => {
  // A small project of its own (never the shared checkout's node_modules): a build tool as a
  // devDependency from a local folder, so npm needs no network.
  const root = mkdtempSync(join(tmpdir(), 'cx-reinstall-'));
  const npm = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    execa('npm', args, { cwd: root, env: { ...cleanEnv(), npm_config_update_notifier: 'false', ...env }, extendEnv: false, reject: false, timeout: 60_000, all: true });
  before(async () => {
    mkdirSync(join(root, 'tools', 'tsc'), { recursive: true });
    mkdirSync(join(root, 'test'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'reinstall-fixture', version: '1.0.0', private: true, scripts: { test: 'tsc --version && node --test test/' }, devDependencies: { 'fake-tsc': 'file:tools/tsc' } }));
    writeFileSync(join(root, 'tools', 'tsc', 'package.json'), JSON.stringify({ name: 'fake-tsc', version: '5.0.0', bin: { tsc: 'tsc.js' } }));
    writeFileSync(join(root, 'tools', 'tsc', 'tsc.js'), '#!/usr/bin/env node\nconsole.log("Version 5.0.0");\n', { mode: 0o755 });
    writeFileSync(join(root, 'test', 'runs.test.mjs'), "import test from 'node:test';\ntest('runs', () => {});\n");
    const installed = await npm(['install', '--offline', '--no-audit', '--no-fund']);
    assert.equal(installed.exitCode, 0, String(installed.all));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('with the app\'s NODE_ENV=production, a failing build\'s reinstall keeps `npx tsc --version` and `npm test` working', async () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    let result: Awaited<ReturnType<typeof buildDashboard>>;
    try {
      // The fixture has no dashboard: the build fails, and the reinstall runs.
      result = await buildDashboard(root, join(root, 'dist'), { reinstall: true });
    } finally {
      if (saved === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = saved;
    }
    assert.equal(result.ok, false);
    assert.match(result.output, /npm install --include=dev \(exit 0\)/);
    const tsc = await npm(['exec', '--no', '--', 'tsc', '--version'], { NODE_ENV: 'production' });
    assert.equal(tsc.exitCode, 0, String(tsc.all));
    assert.match(String(tsc.stdout), /Version 5\.0\.0/);
    const tests = await npm(['test']);
    assert.equal(tests.exitCode, 0, String(tests.all));
    assert.equal(existsSync(join(root, 'node_modules', 'fake-tsc', 'package.json')), true);
  });

  it('installs nothing without a lockfile to install from', async () => {
    rmSync(join(root, 'package-lock.json'));
    const result = await buildDashboard(root, join(root, 'dist'), { reinstall: true });
    assert.equal(result.ok, false);
    assert.match(result.output, /no reinstall: .* needs a package\.json and a package-lock\.json/);
    assert.equal(existsSync(join(root, 'package-lock.json')), false, 'npm did not run');
  });
});
