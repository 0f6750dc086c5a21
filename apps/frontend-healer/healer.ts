import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { raiseAlert } from '../core/src/alerts/index.js';
import { serverUrl, type CmuxConfig } from '../core/src/config/index.js';
import { APP_NAMES } from '../core/src/ecosystem/index.js';
import { buildDashboard, checkOnDisk, checkServed, dashboardSourcesChangedAt, healRequestFile, readFrontendState, writeFrontendState, type DiskCheck, type FrontendState } from '../core/src/frontend/index.js';
import { addJournalEntry } from '../core/src/journal/index.js';
import { once, scheduleEvery, type AppHandle, type Schedule } from '../core/src/lifecycle/index.js';
import type { Logger } from '../core/src/log/index.js';
import { isCmuxApp, withPm2 } from '../core/src/pm2/index.js';
import { httpRequest } from '../core/src/server-client/index.js';
import { checkInBrowserAside } from './browser-check.js';

const SOURCE = 'frontend-healer';
const MAX_BACKOFF_MS = 30 * 60_000;

// Which build is on disk, file by file: a rebuild swaps in a new folder, a deletion leaves
// none (null), a file changed in place changes its size or time.
function buildOnDisk(dist: string): string | null {
  try {
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).sort();
    return [statSync(dist).ino, ...files.map((file) => {
      const stat = statSync(join(dist, file));
      return `${file}:${stat.size}:${stat.mtimeMs}`;
    })].join('\n');
  } catch {
    return null;
  }
}

// The cmux-frontend-healer app: on its schedule it checks the dashboard on disk and as served,
// and (when it can) in a browser beside that loop; rebuilds it into a fresh folder when it is
// broken (or puts the last build back when the sources have not changed), with backoff and a
// bounded number of attempts, after which it tells the supervisor and waits for `cmux
// heal` or a change in the sources. It also restarts a hung cmux-server. A new build is
// reported healthy as soon as its files serve and pass the cheap checks, with the browser's
// verdict pending; the verdict follows (`browserChecked` waits for it).
export function createFrontendHealer(config: CmuxConfig, logger: Logger): AppHandle & { check(): Promise<FrontendState>; browserChecked(): Promise<FrontendState> } {
  const { healer } = config;
  const dist = config.frontend.dist;
  const previous = readFrontendState(config.home);
  const useBrowser = healer.browserCheck === 'on' || (healer.browserCheck === 'auto' && existsSync(healer.browserPath));
  let state: FrontendState = {
    status: 'degraded',
    indexExists: false,
    jsBundles: 0,
    served: false,
    browser: useBrowser ? 'pending' : 'off',
    lastCheck: null,
    lastHeal: previous?.lastHeal ?? null,
    problem: null,
    gaveUp: false,
  };
  // What the last round of cheap checks (disk, served) found.
  let cheap: { disk: DiskCheck; served: boolean; problem: string | null } | null = null;
  let attempts = 0;
  let nextBuildAt = 0;
  let sourcesAtGiveUp = 0;
  let apiFailures = 0;
  let restartBackoffMs = healer.intervalSeconds * 1000;
  let nextRestartAt = 0;
  let lastBrowserCheck = 0;
  // What the last browser check found: it stands between browser checks (they run less often).
  let browserProblem: string | null = null;
  // The sources the last "fails in the browser" alert was about: one alert per version of them.
  let browserAlertedFor = 0;
  // Set while the healer waits because of a browser failure (not a failing build).
  let waitingOnBrowser = false;
  // The browser check under way, beside the loop of cheap checks.
  let browsing: Promise<void> | null = null;
  // Set from a successful heal until the browser starts looking at the new build.
  let unjudged = false;
  let schedule: Schedule | undefined;
  // Aborted at stop: ends a browser check under way.
  const stopping = new AbortController();

  // Whether the rebuild worked. `reuse`: the last build may be put back when the sources have
  // not changed since it was made (a heal asked for by hand builds afresh).
  async function heal(reason: string, reuse: boolean): Promise<boolean> {
    attempts += 1;
    logger.info(`rebuilding the dashboard (attempt ${attempts} of ${healer.maxBuildAttempts}): ${reason}`);
    const result = await buildDashboard(config.root, dist, { reinstall: healer.reinstallOnFailure && attempts === 1, reuse });
    if (result.ok) {
      const how = result.reused ? ' (the sources had not changed: the last build put back)' : result.joined ? ' (another build was under way)' : '';
      logger.info(`healed the dashboard in ${result.durationMs} ms${how}: ${reason}`);
      state.lastHeal = new Date().toISOString();
      attempts = 0;
      nextBuildAt = 0;
      return true;
    }
    const tail = result.output.trim().split('\n').slice(-40).join('\n');
    logger.error(`the dashboard build failed (attempt ${attempts}): ${tail.split('\n').at(-1) ?? ''}`);
    nextBuildAt = Date.now() + Math.min(MAX_BACKOFF_MS, healer.intervalSeconds * 1000 * 2 ** attempts);
    if (attempts >= healer.maxBuildAttempts) {
      state.gaveUp = true;
      sourcesAtGiveUp = dashboardSourcesChangedAt(config.root);
      await addJournalEntry(config.home, { title: 'The dashboard does not build', content: `The healer gave up after ${attempts} attempts (${reason}).\n\n\`\`\`text\n${tail}\n\`\`\`` });
      await raiseAlert(config, {
        source: SOURCE,
        kind: 'build',
        title: `the dashboard does not build after ${attempts} attempts; waiting for \`cmux heal\` or a fix in apps/dashboard`,
        count: attempts,
        excerpt: tail,
        details: `# The dashboard does not build\n\nWhy a rebuild was needed: ${reason}\n\n## Build output\n\n\`\`\`text\n${result.output.slice(-20_000)}\n\`\`\`\n\n## Suggested next step\n\nFix the error above in apps/dashboard (the healer rebuilds as soon as the sources change), or run \`cmux heal\`.\n`,
      });
    }
    return false;
  }

  // Opens the dashboard in a browser beside the loop and takes its verdict when it comes. For a
  // `fresh` build (just healed) a failure is final: the same sources would fail the same way.
  function startBrowserCheck(fresh: boolean): void {
    lastBrowserCheck = Date.now();
    state.browser = 'pending';
    browsing = (async () => {
      const looked = buildOnDisk(dist);
      const browser = await checkInBrowserAside(`${serverUrl(config)}/`, healer.browserPath, stopping.signal).then(
        (verdict) => ({ ...verdict, skipped: false }),
        (error: unknown) => ({ ok: true, problem: `browser check skipped: ${(error as Error).message}`, skipped: true }),
      );
      if (stopping.signal.aborted) return;
      // The build was deleted or replaced while the browser looked at it: what the browser saw
      // says nothing about the build there now (judging it so once gave up on a good build).
      if (looked === null || buildOnDisk(dist) !== looked) {
        logger.info('the dashboard build changed during the browser check; checking it again next round');
        lastBrowserCheck = 0;
        return;
      }
      if (browser.ok && browser.problem) logger.warn(browser.problem);
      browserProblem = browser.ok ? null : browser.problem;
      // A browser that could not be started gives no verdict: the check is off until it can.
      state.browser = browser.skipped ? 'off' : browser.ok ? 'passed' : 'failed';
      // A page that failed on a slow machine and works now: broken files may be rebuilt again.
      if (browser.ok && waitingOnBrowser) {
        waitingOnBrowser = false;
        state.gaveUp = false;
      }
      if (browserProblem && fresh) await giveUpInBrowser(browserProblem);
      publish();
    })()
      .catch((error: unknown) => logger.error(`the browser check failed: ${(error as Error).message}`))
      .finally(() => (browsing = null));
  }

  // Writes what the healer knows now: the last cheap checks and the browser's last verdict.
  function publish(): FrontendState {
    if (cheap) {
      const { disk, served } = cheap;
      const problem = cheap.problem ?? (disk.ok && served ? browserProblem : null);
      state = { ...state, status: problem === null && disk.ok ? 'healthy' : 'degraded', indexExists: disk.indexExists, jsBundles: disk.jsBundles, served, problem };
    }
    writeFrontendState(config.home, state);
    return state;
  }

  // A fresh build of the current sources fails in the browser: building them again would fail
  // the same way, so the healer waits for a change in the sources (or `cmux heal`) and
  // says so once.
  async function giveUpInBrowser(problem: string): Promise<void> {
    state.gaveUp = true;
    waitingOnBrowser = true;
    sourcesAtGiveUp = dashboardSourcesChangedAt(config.root);
    logger.error(`the rebuilt dashboard fails in the browser: ${problem}; not rebuilding until apps/dashboard changes`);
    if (browserAlertedFor === sourcesAtGiveUp) return;
    browserAlertedFor = sourcesAtGiveUp;
    await raiseAlert(config, {
      source: SOURCE,
      kind: 'browser',
      title: 'the dashboard builds but fails in the browser; waiting for a fix in apps/dashboard or `cmux heal`',
      count: 1,
      excerpt: problem,
      details: `# The dashboard fails in the browser\n\nA fresh build of the current sources loads in headless Chromium and fails: ${problem}\n\nRebuilding the same sources would fail the same way, so the healer waits.\n\n## Suggested next step\n\nOpen the dashboard with the browser console, fix the error in apps/dashboard (the healer rebuilds as soon as the sources change), or run \`cmux heal\`.\n`,
    });
  }

  async function checkApi(): Promise<void> {
    const healthy = await httpRequest(`${serverUrl(config)}/health`, { timeoutMs: healer.apiTimeoutMs }).then(
      (r) => r.status >= 200 && r.status < 300,
      () => false,
    );
    if (healthy) {
      apiFailures = 0;
      restartBackoffMs = healer.intervalSeconds * 1000;
      return;
    }
    apiFailures += 1;
    if (apiFailures < healer.apiFailuresBeforeRestart || Date.now() < nextRestartAt) return;
    const why = `GET /health failed ${apiFailures} times in a row (timeout ${healer.apiTimeoutMs} ms)`;
    const restarted = await withPm2(
      async (pm2) => {
        if (!(await pm2.list()).some((p) => isCmuxApp(p, APP_NAMES.server, config.home))) return false;
        await pm2.restart(APP_NAMES.server);
        return true;
      },
      { spawnDaemon: false },
    );
    if (!restarted) return;
    logger.warn(`restarted cmux-server through PM2: ${why}`);
    apiFailures = 0;
    nextRestartAt = Date.now() + restartBackoffMs;
    restartBackoffMs = Math.min(MAX_BACKOFF_MS, restartBackoffMs * 2);
    await raiseAlert(config, { source: SOURCE, kind: 'api-restart', title: `restarted cmux-server: ${why}`, count: 1, excerpt: why, details: `# cmux-server restarted\n\n${why}.\n\nThe healer restarted it through PM2; the next restart waits at least ${Math.round(restartBackoffMs / 1000)} s.\n` });
  }

  // On disk and as served: every file index.html loads is there, whole, and served as built.
  async function checkCheaply(): Promise<NonNullable<typeof cheap>> {
    const disk = checkOnDisk(dist);
    if (!disk.ok) return { disk, served: false, problem: disk.problem };
    const result = await checkServed(serverUrl(config), dist, disk.assets, healer.apiTimeoutMs);
    // An unreachable server is not the frontend's fault: rebuilding would not help.
    return { disk, served: result.reachable && result.ok, problem: result.reachable && !result.ok ? result.problem : null };
  }

  async function check(): Promise<FrontendState> {
    await checkApi();
    const requested = existsSync(healRequestFile(config.home));
    if (requested) rmSync(healRequestFile(config.home), { force: true });
    if (state.gaveUp && (requested || dashboardSourcesChangedAt(config.root) > sourcesAtGiveUp)) {
      logger.info(requested ? 'a heal was requested' : 'the dashboard sources changed; trying again');
      state.gaveUp = false;
      waitingOnBrowser = false;
      attempts = 0;
      nextBuildAt = 0;
    }

    cheap = await checkCheaply();
    state.lastCheck = new Date().toISOString();
    const problem = cheap.problem ?? (cheap.disk.ok && cheap.served ? browserProblem : null);
    if ((problem !== null || requested) && !state.gaveUp && Date.now() >= nextBuildAt) {
      // Health says what is wrong while the heal runs, not only what the disk shows.
      publish();
      if (await heal(problem ?? 'requested with `cmux heal`', !requested)) {
        // The new build is judged afresh: healthy once its files serve, its verdict to follow.
        browserProblem = null;
        state.browser = useBrowser ? 'pending' : 'off';
        unjudged = useBrowser;
      }
      cheap = await checkCheaply();
      state.lastCheck = new Date().toISOString();
    }
    // A new build is looked at in the browser at once (one that fails there is not rebuilt
    // again), any other once per browserIntervalSeconds; never two at a time.
    if (useBrowser && !browsing && cheap.disk.ok && cheap.served && (unjudged || requested || Date.now() - lastBrowserCheck >= healer.browserIntervalMs)) {
      startBrowserCheck(unjudged);
      unjudged = false;
    }
    return publish();
  }

  return {
    check,
    async browserChecked() {
      await browsing;
      return state;
    },
    async start() {
      schedule = scheduleEvery('frontend check', healer.intervalSeconds, async () => void (await check()), logger);
    },
    stop: once(async () => {
      stopping.abort();
      await schedule?.stop();
      await browsing;
    }),
  };
}
