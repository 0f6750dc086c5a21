import { randomBytes } from 'node:crypto';
import { launchBrowser } from '../test/helpers/browser.ts';
import { createInstance } from '../test/helpers/instance.ts';
import { apiClient } from '../test/helpers/api.ts';
import { tmuxCommand } from '../test/helpers/tmux.ts';
import { machineLoad, percentile, type BenchRow } from './report.ts';

const LINES = 30;
const TERMINAL_LINE_BUDGET_MS = 100;

// The dashboard's live terminal in Chromium: a line printed in an agent's pane (cat echoing
// what is typed into it) until the page's terminal shows it, for cmux-server on the control
// connection (the screen captured when the pane prints) and, in the same run, on a tmux per
// call (the screen captured every 500 ms).
export async function benchTerminal(log: (line: string) => void): Promise<BenchRow[]> {
  const browser = await launchBrowser();
  const measure = async (name: string, userConfig: string) => {
    const cmux = await createInstance({ userConfig });
    try {
      const start = await cmux.cli(['start']);
      if (start.exitCode !== 0) throw new Error(`terminal ${name}: start failed: ${String(start.stderr)}`);
      const url = /dashboard: (\S+)/.exec(String(start.stdout))![1]!;
      const spawned = await cmux.cli(['spawn', 'printer', '--command', 'cat']);
      if (spawned.exitCode !== 0) throw new Error(`terminal ${name}: spawn failed: ${String(spawned.stderr)}`);
      const { windowId } = (await apiClient(cmux).call<{ windowId: string }>('GET', '/api/agents/printer')).body;
      const context = await browser.browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(url);
        await page.locator('[data-connection="live"]').waitFor();
        await page.evaluate(`location.hash = '#/agents/printer'`);
        await page.getByTestId('terminal').waitFor();
        const times: number[] = [];
        for (let i = 0; i < LINES; i++) {
          const line = `line-${i}-${randomBytes(4).toString('hex')}`;
          await tmuxCommand({ kind: 'path', path: cmux.socket }, ['send-keys', '-t', windowId, line, 'Enter']);
          const typed = performance.now();
          await page.waitForFunction(`document.querySelector('[data-testid="terminal"]')?.getAttribute('data-text')?.includes(${JSON.stringify(line)})`, undefined, { polling: 5, timeout: 10_000 });
          times.push(performance.now() - typed);
          await new Promise((r) => setTimeout(r, 100 + ((i * 53) % 400)));
        }
        log(`terminal ${name}: p50 ${percentile(times, 50).toFixed(0)} p99 ${percentile(times, 99).toFixed(0)} ms`);
        return times;
      } finally {
        await context.close();
      }
    } finally {
      await cmux.cleanup();
    }
  };
  try {
    const ours = await measure('control connection', '');
    const spawned = await measure('a tmux per call', 'tmux:\n  controlMode: false\n');
    const baselineName = 'cmux-server on a tmux per call: the screen captured every 500 ms';
    const row = { area: 'terminal', length: `${LINES} lines`, unit: 'ms', baselineName, note: machineLoad() } as const;
    return [
      { ...row, name: `a line printed in a pane → shown in the dashboard's terminal (Chromium), p50`, value: percentile(ours, 50), baseline: percentile(spawned, 50), budget: { on: 'value', max: TERMINAL_LINE_BUDGET_MS } },
      { ...row, name: `a line printed in a pane → shown in the dashboard's terminal (Chromium), p99`, value: percentile(ours, 99), baseline: percentile(spawned, 99) },
    ];
  } finally {
    await browser.close();
  }
}
