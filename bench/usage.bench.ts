import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../test/helpers/instance.ts';
import type { BenchRow } from './report.ts';

const TARGET_BYTES = 500 * 1024 * 1024;
const SESSION = '00000000-0000-4000-8000-000000000000';

// A transcript the way Claude Code writes one: most lines are not usage (prompts, tool output,
// request shapes of 100 KB and more), one in a few is an answer with its usage.
function writeTranscript(file: string): number {
  const fd = openSync(file, 'w');
  let bytes = 0;
  let calls = 0;
  const big = JSON.stringify({ type: 'api-request-shape', shape: { system: 'x'.repeat(120_000) } });
  const user = JSON.stringify({ type: 'user', message: { role: 'user', content: 'y'.repeat(2_000) } });
  try {
    while (bytes < TARGET_BYTES) {
      calls += 1;
      const answer = JSON.stringify({
        type: 'assistant',
        timestamp: new Date(Date.UTC(2026, 11, 6, calls % 24)).toISOString(),
        message: { id: `msg_${calls}`, model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'z'.repeat(1_500) }], usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 1 } },
      });
      const chunk = `${calls % 20 === 0 ? `${big}\n` : ''}${user}\n${answer}\n`;
      bytes += writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return calls;
}

// Reading a 500 MB transcript for the first time: its speed against `wc -l` on the same file
// in the same run, and the reading process's peak memory against one that reads nothing.
export async function benchUsage(log: (line: string) => void): Promise<BenchRow[]> {
  const home = mkdtempSync(join(tmpdir(), 'cx-usage-bench-'));
  try {
    const cwd = '/bench/work';
    const dir = join(home, '.claude', 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${SESSION}.jsonl`);
    const calls = writeTranscript(file);
    const mb = statSync(file).size / (1024 * 1024);
    log(`usage: a ${mb.toFixed(0)} MB transcript with ${calls} answers`);
    const wcStarted = performance.now();
    await execa('wc', ['-l', file], { timeout: 600_000 });
    const wcMs = performance.now() - wcStarted;
    const child = async (...extra: string[]) =>
      JSON.parse((await execa(process.execPath, [join(ROOT, 'bench', 'usage-read-child.mjs'), home, cwd, SESSION, ...extra], { cwd: ROOT, timeout: 900_000 })).stdout) as { readMs: number; calls: number; maxRssMb: number };
    const idle = await child('--idle');
    const read = await child();
    if (read.calls !== calls) throw new Error(`usage: counted ${read.calls} answers of ${calls}`);
    log(`usage: read in ${read.readMs.toFixed(0)} ms (wc -l ${wcMs.toFixed(0)} ms), peak ${read.maxRssMb.toFixed(0)} MB (idle ${idle.maxRssMb.toFixed(0)} MB)`);
    return [
      {
        area: 'usage',
        name: 'first read of a transcript',
        length: `${mb.toFixed(0)} MB, one read`,
        unit: 'MB/s',
        value: mb / (read.readMs / 1000),
        baseline: mb / (wcMs / 1000),
        baselineName: '`wc -l` on the same file',
        budget: { on: 'ratio', min: 0.05 },
      },
      {
        area: 'usage',
        name: 'peak RSS of the reading process',
        length: `${mb.toFixed(0)} MB, one read`,
        unit: 'MB',
        value: read.maxRssMb,
        baseline: idle.maxRssMb,
        baselineName: 'the same process reading nothing',
        budget: { on: 'excess', max: 32 },
      },
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
