import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDashboard } from '../apps/core/src/index.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { copyWithServer } from './copy-server.ts';
import { median, type BenchRow } from './report.ts';

const BUNDLE_BUDGET_KB = 300;
const FIRST_SCREEN_BUDGET_MS = 1_000;
const RUNS = 5;

// The dashboard's weight (gzip) and how soon its first screen is usable in headless Chromium
// on localhost, against the budgets the dashboard issue set.
export async function benchDashboard(log: (line: string) => void): Promise<BenchRow[]> {
  const { copy, config, server, cleanup } = await copyWithServer({ CMUX_TOKEN: 'bench-token-0123456789' });
  await buildDashboard(copy.root, config.frontend.dist);
  const assets = join(config.frontend.dist, 'assets');
  const gzipKb = readdirSync(assets)
    .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
    .reduce((sum, f) => sum + gzipSync(readFileSync(join(assets, f))).length, 0) / 1024;
  await server.start();
  const browser = await launchBrowser();
  try {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.browser.newContext();
      await context.addCookies([{ name: 'cmux_session', value: await newSession(config.server.port), domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Strict' }]);
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`http://127.0.0.1:${config.server.port}/`);
      await page.getByRole('heading', { name: 'Agents' }).waitFor();
      times.push(performance.now() - started);
      await context.close();
    }
    log(`dashboard: ${gzipKb.toFixed(1)} KB gzip; first screen ${median(times).toFixed(0)} ms`);
    return [
      { area: 'dashboard', name: 'JS + CSS, gzip', length: 'one build', unit: 'KB', value: gzipKb, baseline: null, baselineName: 'what a dashboard may weigh: its budget', budget: { on: 'value', max: BUNDLE_BUDGET_KB } },
      { area: 'dashboard', name: 'first screen usable in Chromium on localhost, cold page', length: `median of ${RUNS}`, unit: 'ms', value: median(times), baseline: null, baselineName: 'one second: its budget', budget: { on: 'value', max: FIRST_SCREEN_BUDGET_MS } },
    ];
  } finally {
    await browser.close();
    await cleanup();
  }
}

// A dashboard session, the way a browser gets one: a one-time login URL, opened once.
async function newSession(port: number): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const code = await fetch(`${base}/api/login/code`, { method: 'POST', headers: { authorization: 'Bearer bench-token-0123456789', 'content-type': 'application/json' }, body: '{}' });
  const { url } = (await code.json()) as { url: string };
  const login = await fetch(url, { redirect: 'manual' });
  return /cmux_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1]!;
}
