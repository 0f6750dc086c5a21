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
    const figures = JSON.parse(readFileSync(file, 'utf8')) as { messages: number; faults: Record<string, number>; webhooks: number };
    const faults = Object.values(figures.faults).reduce((a, b) => a + b, 0);
    log(`chaos: ${SECONDS} s, ${figures.messages} messages, ${faults} faults: ${JSON.stringify(figures.faults)}`);
    return [
      { area: 'chaos', name: `${SECONDS} s of faults: messages delivered exactly once`, unit: 'msgs', value: figures.messages, baseline: figures.messages, baselineName: 'messages sent', note: `${faults} faults: ${Object.entries(figures.faults).map(([k, v]) => `${k} ×${v}`).join(', ')}; ${figures.webhooks} webhooks accepted` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
