import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../test/helpers/instance.ts';
import type { BenchRow } from './report.ts';

const SECONDS = Number(process.env.CMUX_CHAOS_SECONDS ?? 600);

// The long chaos run (10 minutes of faults under load); its figures go into the table.
export async function benchChaos(log: (line: string) => void): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cmux-chaos-'));
  const file = join(dir, 'figures.json');
  try {
    const run = await execa(process.execPath, [join(ROOT, 'scripts', 'run-tests.mjs'), 'test/chaos'], {
      cwd: ROOT,
      env: { CMUX_CHAOS_SECONDS: String(SECONDS), CMUX_CHAOS_FIGURES: file },
      reject: false,
      all: true,
      timeout: (SECONDS + 600) * 1000,
    });
    if (run.exitCode !== 0) throw new Error(`the chaos run failed:\n${String(run.all).slice(-4000)}`);
    const figures = JSON.parse(readFileSync(file, 'utf8')) as { seed: number; messages: number; byRecipient: Record<string, number>; userFramesMissedInOutages: number; faults: Record<string, number>; webhooks: number };
    const faults = Object.values(figures.faults).reduce((a, b) => a + b, 0);
    log(`chaos: ${SECONDS} s, ${figures.messages} messages, ${faults} faults: ${JSON.stringify(figures.faults)}`);
    // A count, not a speed: the run passes only if every one arrived exactly once, so there is
    // nothing to divide it by.
    return [
      {
        area: 'chaos',
        name: 'faults under load: messages, each counted exactly once where it arrived',
        length: `${SECONDS} s`,
        unit: 'msgs',
        value: figures.messages,
        baseline: null,
        baselineName: 'the run fails on any loss or double',
        note: `seed ${figures.seed}; to ${Object.entries(figures.byRecipient).map(([k, v]) => `${k} ${v}`).join(', ')} (${figures.userFramesMissedInOutages} dashboard frames missed in outages, read from history); ${faults} faults: ${Object.entries(figures.faults).map(([k, v]) => `${k} ×${v}`).join(', ')}; ${figures.webhooks} webhooks accepted`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
