#!/usr/bin/env node
// Runs the whole suite with node's test runner (TypeScript through tsx), one file at a time:
// the integration files each start real PM2, tmux and HTTP servers. Afterwards it stops any
// cmux a cancelled test left behind (a timed-out test never runs its cleanup).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filter = process.argv.slice(2);
// Each test instance records the run that made it (test/helpers/instance.ts), so the sweep
// below touches only this run's leftovers, never the live instances of a run beside it.
const runId = randomUUID();

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

// Every process whose command line or environment mentions `marker`.
function processesMentioning(marker) {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker) || readFileSync(`/proc/${entry}/environ`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// The run a test instance's folder says made it ('' when none does).
function runOf(base) {
  try {
    return readFileSync(join(base, 'test-run'), 'utf8');
  } catch {
    return '';
  }
}

// The test instances (temp folders named cx-*) this run made and did not remove.
function sweepLeftovers() {
  for (const name of readdirSync(tmpdir())) {
    const base = join(tmpdir(), name);
    if (!name.startsWith('cx-') || runOf(base) !== runId) continue;
    spawnSync(process.execPath, [join(root, 'scripts', 'cmux.mjs'), 'stop'], {
      env: { ...process.env, CMUX_HOME: join(base, 'home'), PM2_HOME: join(base, 'pm2'), CMUX_TMUX_SOCKET: join(base, 'tmux.sock') },
      stdio: 'ignore',
      timeout: 30_000,
    });
    for (const pid of processesMentioning(base)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    rmSync(base, { recursive: true, force: true });
    process.stderr.write(`run-tests: cleaned up ${base}, left by a test that did not finish\n`);
  }
}

const files = [...findTests(join(root, 'test')), ...findTests(join(root, 'apps'))]
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=1800000', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, CMUX_TEST_RUN: runId } },
);
sweepLeftovers();
process.exit(result.status ?? 1);
