import { readdirSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildDashboard } from '../apps/core/src/index.ts';
import { createFrontendHealer } from '../apps/frontend-healer/healer.ts';
import { copyWithServer } from './copy-server.ts';
import { median, type BenchRow } from './report.ts';

const RUNS = 3;

// Time to detect and to heal each kind of dashboard fault with the healer on a 1 s schedule,
// against a plain `vite build` (the floor of any repair) in the same run.
export async function benchHealer(log: (line: string) => void): Promise<BenchRow[]> {
  const { copy, quiet, config, server } = await copyWithServer({ CMUX_HEAL_INTERVAL: '1' });
  await server.start();
  const healer = createFrontendHealer(config, quiet);
  const status = async () => ((await (await fetch(`http://127.0.0.1:${config.server.port}/health`)).json()) as { status: string }).status;
  try {
    const plain: number[] = [];
    for (let i = 0; i < RUNS; i++) plain.push((await buildDashboard(copy.root, config.frontend.dist)).durationMs);
    await healer.start();
    const assets = () => join(config.frontend.dist, 'assets');
    const faults: Array<[string, () => void]> = [
      ['build folder deleted', () => rmSync(config.frontend.dist, { recursive: true, force: true })],
      ['main bundle truncated', () => truncateSync(join(assets(), readdirSync(assets()).find((f) => f.endsWith('.js'))!), 10)],
      ['stylesheet deleted', () => rmSync(join(assets(), readdirSync(assets()).find((f) => f.endsWith('.css'))!))],
    ];
    const rows: BenchRow[] = [];
    for (const [name, fault] of faults) {
      const detect: number[] = [];
      const heal: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        while ((await status()) !== 'healthy') await sleep(50);
        const t0 = Date.now();
        fault();
        while ((await status()) === 'healthy') await sleep(10);
        detect.push(Date.now() - t0);
        while ((await status()) !== 'healthy') await sleep(20);
        heal.push(Date.now() - t0);
      }
      log(`healer: ${name}: detected ${median(detect)} ms, healed ${median(heal)} ms (plain build ${median(plain)} ms)`);
      rows.push({ area: 'healer', name: `${name}: fault → healthy again (MTTR), 1 s checks`, unit: 'ms', value: median(heal), baseline: median(plain), baselineName: 'a plain `vite build`', note: `health showed it degraded after ${median(detect)} ms (disk read at every request)` });
    }
    return rows;
  } finally {
    await healer.stop();
    await server.stop();
    copy.cleanup();
  }
}
