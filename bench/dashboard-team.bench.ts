import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAgent, createAgentDeps, startAgent } from '../apps/agents/index.ts';
import { buildDashboard, shellQuote } from '../apps/core/src/index.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { ROOT } from '../test/helpers/instance.ts';
import { copyWithServer } from './copy-server.ts';
import { newSession } from './dashboard.bench.ts';
import { machineLoad, median, type BenchRow } from './report.ts';

const AGENTS = 20;
const WINDOW_MS = 30_000;
const FIRST_SCREEN_RUNS = 3;
const STATUS_RUNS = 5;
// The first screen's budget (as the dashboard area's), and how soon a card may show a status
// change the server has seen.
const FIRST_SCREEN_BUDGET_MS = 1_000;
const CARD_LAG_BUDGET_MS = 1_000;
const POLL_MS = 25;
// What the overview did before its cards were pushed: each card read its agent's last 40
// lines every 2 s.
const OLD_PREVIEW_MS = 2_000;

// A team of 20 demo agents with the overview open: how soon its first screen shows every card,
// how soon a card shows a status change (against the server's own API seeing it, polled from
// here), and the requests per minute the open overview makes (against the same page with the old
// per-card polling added back in it). All in one process, against one server and team.
export async function benchDashboardTeam(log: (line: string) => void): Promise<BenchRow[]> {
  const { copy, quiet, config, server, cleanup } = await copyWithServer({ CMUX_TOKEN: 'bench-token-0123456789' });
  const browser = await launchBrowser().catch(async (error: unknown) => {
    await cleanup();
    throw error;
  });
  try {
    await buildDashboard(copy.root, config.frontend.dist);
    const deps = createAgentDeps(config, quiet);
    const ids: string[] = [];
    const demo = `${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist', 'apps', 'demo-agent', 'index.js'))}`;
    for (let i = 0; i < AGENTS; i++) {
      const agent = await createAgent(deps, { name: `w${i}`, command: demo, cwd: copy.root, createdBy: 'bench' });
      await startAgent(deps, agent);
      ids.push(agent.id);
    }
    await server.start();
    const base = `http://127.0.0.1:${config.server.port}`;
    const session = await newSession(config.server.port);
    const headers = { 'x-cmux-session': session, 'content-type': 'application/json' };

    // The first screen of a cold page, until all 20 cards are drawn.
    const firstScreen: number[] = [];
    for (let i = 0; i < FIRST_SCREEN_RUNS; i++) {
      const cold = await browser.browser.newContext();
      await cold.addInitScript(`localStorage.setItem('cmux-session', ${JSON.stringify(session)})`);
      const page = await cold.newPage();
      const started = performance.now();
      await page.goto(`${base}/`);
      await page.locator('[data-card]').nth(AGENTS - 1).waitFor({ timeout: 60_000 });
      firstScreen.push(performance.now() - started);
      await cold.close();
    }

    const context = await browser.browser.newContext();
    await context.addInitScript(`localStorage.setItem('cmux-session', ${JSON.stringify(session)})`);
    const page = await context.newPage();
    let requests = 0;
    page.on('request', () => (requests += 1));
    await page.goto(`${base}/`);
    await page.locator('[data-card]').nth(AGENTS - 1).waitFor({ timeout: 60_000 });

    // A status change: `sleep 2` typed into an idle agent; the card and the API each timed from
    // the keys until they say busy, then the agent is let go back to idle.
    const statusOf = async (id: string) => ((await (await fetch(`${base}/api/agents`, { headers })).json()) as Array<{ id: string; status: string }>).find((a) => a.id === id)?.status;
    const until = async (check: () => Promise<boolean>, what: string) => {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(POLL_MS)) if (await check()) return performance.now();
      throw new Error(`dashboard-team: ${what} did not happen within 30 s`);
    };
    const cardLag: number[] = [];
    const apiLag: number[] = [];
    for (let i = 0; i < STATUS_RUNS; i++) {
      const id = ids[i]!;
      const card = page.locator(`[data-card="${id}"] [data-status="busy"]`);
      const started = performance.now();
      const typed = await fetch(`${base}/api/agents/${id}/keys`, { method: 'POST', headers, body: JSON.stringify({ keys: [{ text: 'sleep 2' }, { key: 'Enter' }] }) });
      if (typed.status !== 202) throw new Error(`dashboard-team: typing into ${id} answered ${typed.status}`);
      const [onCard, inApi] = await Promise.all([card.waitFor({ timeout: 30_000 }).then(() => performance.now()), until(async () => (await statusOf(id)) === 'busy', `${id} busy in the API`)]);
      cardLag.push(onCard - started);
      apiLag.push(inApi - started);
      await until(async () => (await statusOf(id)) === 'idle', `${id} idle again`);
    }

    const perMinute = async () => {
      const from = requests;
      await sleep(WINDOW_MS);
      return ((requests - from) * 60_000) / WINDOW_MS;
    };
    const pushed = await perMinute();
    await page.evaluate(
      ({ ids, every, session }) => {
        for (const id of ids) setInterval(() => void fetch(`/api/agents/${id}/terminal?lines=40`, { headers: { 'x-cmux-session': session } }), every);
      },
      { ids, every: OLD_PREVIEW_MS, session },
    );
    const polled = await perMinute();
    const load = machineLoad();
    log(`dashboard-team: ${AGENTS} demo agents: first screen ${median(firstScreen).toFixed(0)} ms; status on a card ${median(cardLag).toFixed(0)} ms (API ${median(apiLag).toFixed(0)} ms); ${pushed.toFixed(0)} requests/min pushed, ${polled.toFixed(0)} with per-card polling; ${load}`);
    return [
      {
        area: 'dashboard-team',
        name: `first screen with ${AGENTS} demo agents: a cold page until every card is drawn (Chromium, localhost)`,
        length: `median of ${FIRST_SCREEN_RUNS}`,
        unit: 'ms',
        value: median(firstScreen),
        baseline: null,
        baselineName: 'one second: its budget',
        budget: { on: 'value', max: FIRST_SCREEN_BUDGET_MS },
        note: load,
      },
      {
        area: 'dashboard-team',
        name: `a status change (idle → busy) seen on its card, ${AGENTS} agents on the overview`,
        length: `median of ${STATUS_RUNS}`,
        unit: 'ms',
        value: median(cardLag),
        baseline: median(apiLag),
        baselineName: `GET /api/agents saying it, polled every ${POLL_MS} ms from the keys on`,
        budget: { on: 'excess', max: CARD_LAG_BUDGET_MS },
        note: load,
      },
      {
        area: 'dashboard-team',
        name: `requests per minute with the overview of ${AGENTS} agents open (cards pushed over the WebSocket)`,
        length: `${WINDOW_MS / 1000} s each`,
        unit: 'req/min',
        value: pushed,
        baseline: polled,
        baselineName: 'the same page polling each card every 2 s, as before',
        // Nothing per agent: what is left (the board, read every 10 s) is a small fraction.
        budget: { on: 'ratio', max: 0.1 },
      },
    ];
  } finally {
    await browser.close();
    await cleanup();
  }
}
