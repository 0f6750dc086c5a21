#!/usr/bin/env node
// Runs the whole suite with node's test runner (TypeScript through tsx), two files at a time
// (CMUX_TEST_CONCURRENCY sets how many): the integration files each start real PM2, tmux and
// HTTP servers in private homes, sockets and ports, so files never share a process or a file;
// most of their time is spent waiting on those programs, which a second file fills. Afterwards
// it stops any cmux a cancelled test left behind (a timed-out test never runs its cleanup), and
// any other process of the run still running.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filter = process.argv.slice(2);
const started = Date.now();
const run = `${process.pid}-${started}`;

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

// When `path` last changed; 0 when it is gone (other runs share the temp folder and remove theirs).
function modifiedAt(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

// The run that made a test instance (test/helpers/instance.ts writes it); other runs share the
// temp folder, and their instances are theirs to clean.
function readRun(base) {
  try {
    return readFileSync(join(base, 'run'), 'utf8');
  } catch {
    return null;
  }
}

// The test instances (temp folders named cxt-*) this run made and did not remove; how many.
function sweepLeftovers() {
  let count = 0;
  for (const name of readdirSync(tmpdir())) {
    const base = join(tmpdir(), name);
    // Only the folders of test instances (a home and a PM2 home inside) made during this run.
    if (!name.startsWith('cxt-') || modifiedAt(base) < started || readRun(base) !== run) continue;
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
    count += 1;
  }
  return count;
}

const concurrency = Number(process.env.CMUX_TEST_CONCURRENCY ?? 2);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write(`run-tests: CMUX_TEST_CONCURRENCY must be a whole number of files at a time, 1 or more (it is ${JSON.stringify(process.env.CMUX_TEST_CONCURRENCY)})\n`);
  process.exit(2);
}
// Longest first, so that two files at a time end together rather than one long file running
// alone at the end: the real agent CLIs and the chaos run take minutes, integration files
// (the bigger, the longer, roughly) tens of seconds, unit files seconds.
const GROUPS = ['test/real-agents/', 'test/chaos/', 'test/integration/'];
function group(file) {
  const rank = GROUPS.findIndex((prefix) => file.startsWith(prefix));
  return rank === -1 ? GROUPS.length : rank;
}
// A long run (`*.long.test.ts`, the cluster chaos run) runs only when a filter names it
// (`npm run test:chaos`), never in the whole suite.
const files = [...findTests(join(root, 'test')), ...findTests(join(root, 'apps'))]
  .filter((file) => (filter.length === 0 ? !file.endsWith('.long.test.ts') : filter.some((f) => file.includes(f))))
  .map((file) => ({ file, group: group(file), size: statSync(join(root, file)).size }))
  .sort((a, b) => a.group - b.group || b.size - a.size || a.file.localeCompare(b.file))
  .map(({ file }) => file);
// Any other process this run started and left (a test harness's tmux server, a browser, a
// nats-server): each inherited CMUX_TEST_RUN. Said by name, so the test that left it is fixed.
function sweepStrays() {
  let count = 0;
  for (const pid of processesMentioning(`CMUX_TEST_RUN=${run}`)) {
    let command = '?';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 200);
      process.kill(pid, 'SIGKILL');
    } catch {
      continue;
    }
    process.stderr.write(`run-tests: killed pid ${pid} (${command}), left running by a test\n`);
    count += 1;
  }
  return count;
}

// The runner's output passes through as it comes; its summary (the `ℹ` lines at the end) is
// kept (the last run of them; the failing tests are listed after it), to be said again last if
// the sweeps below have something to say: CI reads the last line.
const summary = [];
let partial = '';
let inSummary = false;
const runner = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, '--test-timeout=1800000', ...files],
  { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, CMUX_TEST_RUN: run } },
);
runner.stdout.setEncoding('utf8');
runner.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk).split('\n');
  partial = lines.pop();
  for (const line of lines) {
    const info = line.startsWith('ℹ ');
    if (info && !inSummary) summary.length = 0;
    if (info) summary.push(line);
    inSummary = info;
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => runner.kill(signal));
const [code] = await once(runner, 'close');
const swept = sweepLeftovers() + sweepStrays();
if (swept > 0 && summary.length > 0) process.stdout.write(`${summary.join('\n')}\n`);
process.exit(code ?? 1);
