import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDashboard, referencedAssets } from '../apps/core/src/index.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { copyWithServer } from './copy-server.ts';
import { median, type BenchRow } from './report.ts';

const BUNDLE_BUDGET_KB = 300;
// What the first screen (the overview) loads: index.html's script and stylesheet; the agent
// view, its terminal and the diff view load when opened (issue 26, finding 11).
const FIRST_SCREEN_BUDGET_KB = 100;
const FIRST_SCREEN_BUDGET_MS = 1_000;
const RUNS = 5;

// The dashboard's weight (gzip) — what its first screen loads, and the whole — and how soon
// its first screen is usable in headless Chromium on localhost, against their budgets.
export async function benchDashboard(log: (line: string) => void): Promise<BenchRow[]> {
  const { copy, config, server, cleanup } = await copyWithServer({ CMUX_TOKEN: 'bench-token-0123456789' });
  const dist = config.frontend.dist;
  await buildDashboard(copy.root, dist);
  const gzipKb = (files: readonly string[]) => files.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f))).length, 0) / 1024;
  const firstScreen = referencedAssets(readFileSync(join(dist, 'index.html'), 'utf8'));
  const firstKb = gzipKb(firstScreen);
  const wholeKb = gzipKb(readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js') || f.endsWith('.css')).map((f) => `assets/${f}`));
  await server.start();
  const browser = await launchBrowser();
  try {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.browser.newContext();
      // Logged in already, as a page that kept its session in its origin's storage.
      await context.addInitScript(`localStorage.setItem('cmux-session', ${JSON.stringify(await newSession(config.server.port))})`);
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`http://127.0.0.1:${config.server.port}/`);
      await page.getByRole('heading', { name: 'Agents' }).waitFor();
      times.push(performance.now() - started);
      await context.close();
    }
    log(`dashboard: first screen ${firstKb.toFixed(1)} KB gzip, all ${wholeKb.toFixed(1)} KB; first screen usable in ${median(times).toFixed(0)} ms`);
    return [
      { area: 'dashboard', name: 'first screen JS + CSS (what index.html loads), gzip', length: 'one build', unit: 'KB', value: firstKb, baseline: null, baselineName: 'what the first screen may weigh: its budget', budget: { on: 'value', max: FIRST_SCREEN_BUDGET_KB } },
      { area: 'dashboard', name: 'all JS + CSS (with the agent view, terminal and diff view loaded on demand), gzip', length: 'one build', unit: 'KB', value: wholeKb, baseline: null, baselineName: 'what a dashboard may weigh: its budget', budget: { on: 'value', max: BUNDLE_BUDGET_KB } },
      {
        area: 'dashboard',
        name: 'first screen usable in Chromium on localhost, cold page',
        length: `median of ${RUNS}`,
        unit: 'ms',
        value: median(times),
        baseline: null,
        baselineName: 'one second: its budget',
        budget: { on: 'value', max: FIRST_SCREEN_BUDGET_MS },
        // A wall-clock figure: what else the machine ran says how far to trust it.
        note: `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores during the run`,
      },
    ];
  } finally {
    await browser.close();
    await cleanup();
  }
}

// A dashboard session, the way the page gets one: a one-time login URL's code, traded once.
export async function newSession(port: number): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const minted = await fetch(`${base}/api/login/code`, { method: 'POST', headers: { authorization: 'Bearer bench-token-0123456789', 'content-type': 'application/json' }, body: '{}' });
  const code = new URL(((await minted.json()) as { url: string }).url).searchParams.get('code');
  const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  return ((await login.json()) as { session: string }).session;
}
