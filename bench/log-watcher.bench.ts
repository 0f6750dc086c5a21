import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadConfig, LOG_WATCHER_NODE_ARGS } from '../apps/core/src/index.ts';
import { ROOT } from '../test/helpers/instance.ts';
import type { BenchRow } from './report.ts';

const SIZE_MB = 500;
// An idle scan reads no log line: what it costs is the registry/tmux comparison and the sample.
const IDLE_SCAN_BUDGET_MS = 100;

// JavaScript patterns in the dialect of grep -E, for the baseline.
function toGrep(pattern: string): string {
  return pattern.replace(/\\d/g, '[0-9]').replace(/\\s/g, '[[:space:]]');
}

// A 500 MB log with an error line every thousand lines, scanned by the watcher (new bytes,
// findings, fingerprints, alerts) and by `grep -E -c` with the same patterns, in one run.
export async function benchLogWatcher(log: (line: string) => void): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cx-logbench-'));
  try {
    const file = join(dir, 'big.log');
    const fd = openSync(file, 'w');
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      lines.push(i % 1000 === 0 ? `2026-11-26T05:00:00.${String(i).padStart(3, '0')}Z ERROR [app] request ${i} failed: timeout after ${i} ms` : `2026-11-26T05:00:00.000Z INFO [app] GET /api/items/${i} 200 in ${i % 97} ms user=${i * 7}`);
    }
    const block = Buffer.from(`${lines.join('\n')}\n`);
    let written = 0;
    while (written < SIZE_MB * 1024 * 1024) written += writeSync(fd, block);
    closeSync(fd);
    const configFile = join(dir, 'cmux.yaml');
    writeFileSync(configFile, `logWatcher:\n  files: ["${file}"]\n  cooldownSeconds: 300\n`);
    const home = join(dir, 'home');

    const child = await execa(process.execPath, [...LOG_WATCHER_NODE_ARGS, join(ROOT, 'bench', 'log-scan-child.mjs'), home, configFile], { cwd: ROOT, timeout: 600_000 });
    const ours = JSON.parse(child.stdout) as { scanMs: number; idleMs: number; findings: number; maxRssMb: number };
    const patterns = loadConfig({ env: {} }).logWatcher.errorPatterns.map(toGrep);
    const grepStarted = performance.now();
    const grep = await execa('grep', ['-E', '-c', patterns.join('|'), file], { timeout: 600_000, reject: false });
    const grepMs = performance.now() - grepStarted;
    const mb = written / 1024 / 1024;
    log(`log-watcher: ${mb.toFixed(0)} MB in ${ours.scanMs.toFixed(0)} ms (${ours.findings} findings, ${ours.maxRssMb.toFixed(0)} MB peak RSS); grep ${grepMs.toFixed(0)} ms (${grep.stdout.trim()} lines); idle scan ${ours.idleMs.toFixed(1)} ms`);
    const length = `${mb.toFixed(0)} MB, one scan`;
    return [
      { area: 'log-watcher', name: 'scan throughput', length, unit: 'MB/s', value: mb / (ours.scanMs / 1000), baseline: mb / (grepMs / 1000), baselineName: '`grep -E -c` with the same patterns', budget: { on: 'ratio', min: 0.9 } },
      { area: 'log-watcher', name: 'peak RSS while scanning', length, unit: 'MB', value: ours.maxRssMb, baseline: null, baselineName: 'the memory a watcher may use: its budget', budget: { on: 'value', max: 100 }, note: 'the whole node process running the compiled watcher, with the node args of its PM2 app' },
      { area: 'log-watcher', name: 'an idle scan (nothing new) of the same log', length: 'one scan', unit: 'ms', value: ours.idleMs, baseline: ours.scanMs, baselineName: 'its full scan of the same log, same run', budget: { on: 'value', max: IDLE_SCAN_BUDGET_MS }, note: 'includes the registry/tmux comparison and the metrics sample' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
