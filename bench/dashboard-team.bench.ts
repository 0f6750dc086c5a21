import { setTimeout as sleep } from 'node:timers/promises';
import { createAgentDeps } from '../apps/agents/index.ts';
import { buildDashboard } from '../apps/core/src/index.ts';
import { createAgentWindow } from '../apps/registry/index.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { copyWithServer } from './copy-server.ts';
import { newSession } from './dashboard.bench.ts';
import type { BenchRow } from './report.ts';

const AGENTS = 20;
const WINDOW_MS = 30_000;
// What the overview did before its cards were pushed: each card read its agent's last 40
// lines every 2 s.
const OLD_PREVIEW_MS = 2_000;

// Requests per minute a page with the overview of a 20-agent team open makes, against the
// same page with the old per-card polling added back in it (run in the same process, against
// the same server and team).
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
    for (let i = 0; i < AGENTS; i++) {
      const command = `while :; do date +%s%N; sleep 1; done`;
      const agent = await createAgentWindow(deps, { name: `w${i}`, role: 'worker', command, launch: command, cwd: copy.root, createdBy: 'bench', kind: 'generic', agentEnv: {}, env: {} });
      ids.push(agent.id);
    }
    await server.start();
    const context = await browser.browser.newContext();
    const session = await newSession(config.server.port);
    await context.addInitScript(`localStorage.setItem('cmux-session', ${JSON.stringify(session)})`);
    const page = await context.newPage();
    let requests = 0;
    page.on('request', () => (requests += 1));
    await page.goto(`http://127.0.0.1:${config.server.port}/`);
    await page.locator('[data-card]').nth(AGENTS - 1).waitFor({ timeout: 60_000 });
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
    log(`dashboard-team: overview of ${AGENTS} agents: ${pushed.toFixed(0)} requests/min pushed, ${polled.toFixed(0)} with per-card polling`);
    return [
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
