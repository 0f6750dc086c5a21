import { readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildDashboard, referencedAssets } from '../apps/core/src/index.ts';
import { createFrontendHealer } from '../apps/frontend-healer/healer.ts';
import { copyWithServer } from './copy-server.ts';
import { median, type BenchRow } from './report.ts';

const RUNS = 3;
// A rebuild takes some seconds; a minute and a half without a repair is a failure.
const HEAL_DEADLINE_MS = 90_000;

// Time to detect and to heal each kind of dashboard fault with the healer on a 1 s schedule,
// against a plain `vite build` (the floor of any repair) in the same run.
export async function benchHealer(log: (line: string) => void): Promise<BenchRow[]> {
  const { copy, quiet, config, server, cleanup } = await copyWithServer({ CMUX_HEAL_INTERVAL: '1' });
  await server.start();
  const healer = createFrontendHealer(config, quiet);
  const health = async () => (await (await fetch(`http://127.0.0.1:${config.server.port}/health`)).json()) as { status: string; problem?: string | null; frontend?: { problem?: string | null } };
  // Polls health until `wanted` holds; a repair that never comes fails the bench with what
  // health last said instead of hanging it.
  const until = async (wanted: (status: string) => boolean, everyMs: number, what: string) => {
    const deadline = Date.now() + HEAL_DEADLINE_MS;
    for (;;) {
      const now = await health();
      if (wanted(now.status)) return;
      if (Date.now() > deadline) throw new Error(`healer bench: ${what} not within ${HEAL_DEADLINE_MS} ms; health says ${now.status} (${now.problem ?? now.frontend?.problem ?? 'no problem named'})`);
      await sleep(everyMs);
    }
  };
  try {
    const plain: number[] = [];
    for (let i = 0; i < RUNS; i++) plain.push((await buildDashboard(copy.root, config.frontend.dist)).durationMs);
    await healer.start();
    // The script or stylesheet index.html loads (the build has chunks loaded later too).
    const loaded = (ext: string) => join(config.frontend.dist, referencedAssets(readFileSync(join(config.frontend.dist, 'index.html'), 'utf8')).find((a) => a.endsWith(ext))!);
    const faults: Array<[string, () => void]> = [
      ['build folder deleted', () => rmSync(config.frontend.dist, { recursive: true, force: true })],
      ['main bundle truncated', () => truncateSync(loaded('.js'), 10)],
      ['stylesheet deleted', () => rmSync(loaded('.css'))],
    ];
    const rows: BenchRow[] = [];
    for (const [name, fault] of faults) {
      const detect: number[] = [];
      const heal: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await until((now) => now === 'healthy', 50, `healthy before "${name}"`);
        const t0 = Date.now();
        fault();
        await until((now) => now !== 'healthy', 10, `"${name}" seen`);
        detect.push(Date.now() - t0);
        await until((now) => now === 'healthy', 20, `healthy again after "${name}"`);
        heal.push(Date.now() - t0);
      }
      log(`healer: ${name}: detected ${median(detect)} ms, healed ${median(heal)} ms (plain build ${median(plain)} ms)`);
      rows.push({
        area: 'healer',
        name: `${name}: fault → healthy again (MTTR), 1 s checks`,
        length: `median of ${RUNS}`,
        unit: 'ms',
        value: median(heal),
        baseline: median(plain),
        baselineName: 'a plain `vite build`',
        budget: { on: 'excess', max: 1_000 },
        note: `health showed it degraded after ${median(detect)} ms (disk read at every request)`,
      });
    }
    return rows;
  } finally {
    await healer.stop();
    await cleanup();
  }
}
