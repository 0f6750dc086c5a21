import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { ALL_APP_NAMES, buildEcosystem, loadConfig } from '../apps/core/src/index.ts';
import { createInstance, processesMentioning, type TestInstance } from '../test/helpers/instance.ts';
import { median, type BenchRow } from './report.ts';

// Long enough for every app's first round (the healer's first browser check, the log
// watcher's first scan) to be over.
const SETTLE_MS = 30_000;
const SAMPLES = 10;
const SAMPLE_EVERY_MS = 1_000;
const BUDGET_MB = 250;

// The pid of each of the four PM2 apps of a test instance (found in /proc: the PM2 client is
// one per process and keeps the PM2_HOME it was first loaded with).
export function appProcesses(cmux: TestInstance): Array<{ name: string; pid: number }> {
  const running = processesMentioning(cmux.base);
  return ALL_APP_NAMES.map((name) => {
    const script = buildEcosystem(loadConfig({ env: cmux.env })).apps.find((a) => a.name === name)!.script;
    const found = running.find((p) => p.command.includes(script));
    if (!found) throw new Error(`${name} does not run (${script})`);
    return { name, pid: found.pid };
  });
}

// A process's resident memory in MB (0 when it is gone).
export function rssMb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return 0;
  }
}

// The resident memory in MB of the tmux clients a process keeps (its tmux control connection).
function tmuxChildrenMb(pid: number): number {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return children.filter((child) => readFileSync(`/proc/${child}/comm`, 'utf8').startsWith('tmux')).reduce((sum, child) => sum + rssMb(child), 0);
  } catch {
    return 0;
  }
}

// The idle memory of the four PM2 apps of a started cmux with its supervisor (with the tmux
// clients they keep), each the median of 10 samples a second apart after they settled; against
// four bare Node processes that do nothing, measured the same way in the same run (the floor no
// app can go under).
export async function benchFootprint(log: (line: string) => void): Promise<BenchRow[]> {
  const cmux = await createInstance();
  const bare = Array.from({ length: ALL_APP_NAMES.length }, () => execa(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { reject: false }));
  try {
    const start = await cmux.cli(['start']);
    if (start.exitCode !== 0) throw new Error(`start failed: ${String(start.stderr)}`);
    const apps = appProcesses(cmux);
    await sleep(SETTLE_MS);
    const samples = new Map<string, number[]>();
    const sample = (name: string, mb: number) => samples.set(name, [...(samples.get(name) ?? []), mb]);
    for (let i = 0; i < SAMPLES; i++) {
      for (const app of apps) {
        const tmux = tmuxChildrenMb(app.pid);
        sample(app.name, rssMb(app.pid) + tmux);
        sample(`${app.name} tmux`, tmux);
      }
      bare.forEach((child, n) => sample(`bare ${n}`, rssMb(child.pid!)));
      await sleep(SAMPLE_EVERY_MS);
    }
    const perApp = apps.map((a) => [a.name, median(samples.get(a.name)!)] as const);
    const total = perApp.reduce((sum, [, mb]) => sum + mb, 0);
    const floor = bare.reduce((sum, _, n) => sum + median(samples.get(`bare ${n}`)!), 0);
    const detail = perApp
      .map(([name, mb]) => {
        const tmux = median(samples.get(`${name} tmux`)!);
        return `${name.replace('cmux-', '')} ${mb.toFixed(0)}${tmux > 0 ? ` (its tmux client ${tmux.toFixed(1)})` : ''}`;
      })
      .join(', ');
    log(`footprint: ${total.toFixed(0)} MB (${detail}); four bare Node processes ${floor.toFixed(0)} MB`);
    return [
      {
        area: 'footprint',
        name: 'idle RSS of the four PM2 apps with their tmux clients, summed',
        length: `median of ${SAMPLES} samples each, ${SAMPLE_EVERY_MS / 1000} s apart`,
        unit: 'MB',
        value: total,
        baseline: floor,
        baselineName: 'four bare Node processes, same run',
        budget: { on: 'value', max: BUDGET_MB },
        note: `${detail} MB`,
      },
    ];
  } finally {
    for (const child of bare) child.kill('SIGKILL');
    await cmux.cleanup();
  }
}
