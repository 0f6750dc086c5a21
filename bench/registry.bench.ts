import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createInstance, type TestInstance } from '../test/helpers/instance.ts';
import type { BenchRow } from './report.ts';

const SPAWNS = 50;
const SPAWN_TIMEOUT_MS = 180_000;

async function spawnAll(cmux: TestInstance, names: readonly string[], together: boolean): Promise<number> {
  const one = async (name: string) => {
    const result = await cmux.cli(['spawn', name, '--command', 'cat', '--no-wait'], { timeoutMs: SPAWN_TIMEOUT_MS });
    if (result.exitCode !== 0) throw new Error(`spawn ${name}: ${String(result.stderr)}`);
  };
  const started = performance.now();
  if (together) await Promise.all(names.map(one));
  else for (const name of names) await one(name);
  const took = performance.now() - started;
  const registered = Object.keys((parseYaml(readFileSync(join(cmux.home, 'agents.yaml'), 'utf8')) as { agents: Record<string, unknown> }).agents);
  const missing = names.filter((n) => !registered.includes(n));
  if (missing.length > 0) throw new Error(`not registered: ${missing.join(', ')}`);
  return took;
}

// 50 `cmux spawn` processes started at once while one CPU hog per core runs (the "other work"
// of a busy machine), against the same 50 spawns one after another under the same hogs (what
// a lock held over the whole spawn amounts to), in the same run.
export async function benchRegistry(log: (line: string) => void): Promise<BenchRow[]> {
  const hogs = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const together = await createInstance();
  const inTurn = await createInstance();
  try {
    const names = Array.from({ length: SPAWNS }, (_, i) => `w${String(i).padStart(2, '0')}`);
    const ours = await spawnAll(together, names, true);
    log(`registry: ${SPAWNS} spawns at once ${(ours / 1000).toFixed(1)} s under ${hogs.length} CPU hogs`);
    const sequential = await spawnAll(inTurn, names, false);
    log(`registry: ${SPAWNS} spawns one after another ${(sequential / 1000).toFixed(1)} s`);
    return [
      {
        area: 'registry',
        name: `${SPAWNS} \`cmux spawn\` processes at once, all registered, while a CPU hog runs on each core`,
        length: `${SPAWNS} spawns, once`,
        unit: 'ms',
        value: ours,
        baseline: sequential,
        baselineName: `the same ${SPAWNS} spawns one after another, same hogs`,
        budget: { on: 'value', max: 20_000 },
        note: 'the registry lock covers the YAML write only',
      },
    ];
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
    await together.cleanup();
    await inTurn.cleanup();
  }
}
