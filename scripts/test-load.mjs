#!/usr/bin/env node
// Runs the suite (or the files named by the arguments, as run-tests.mjs takes them) while one
// CPU hog per core keeps every core busy, to show that no test counts on an idle machine. The
// hogs are stopped when the suite ends, fails or is interrupted.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const hogs = Array.from({ length: availableParallelism() }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
process.stderr.write(`test:load: ${hogs.length} CPU hogs running (pids ${hogs.map((h) => h.pid).join(', ')})\n`);

function stopHogs() {
  for (const hog of hogs) if (hog.exitCode === null && hog.signalCode === null) hog.kill('SIGKILL');
}
process.on('exit', stopHogs);

const suite = spawn(process.execPath, [fileURLToPath(new URL('run-tests.mjs', import.meta.url)), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    suite.kill(signal);
    stopHogs();
  });
}
suite.on('exit', (code, signal) => {
  stopHogs();
  process.stderr.write(`test:load: the hogs are stopped; the suite ${code === 0 ? 'passed' : `failed (${signal ?? `exit ${code}`})`}\n`);
  process.exit(code ?? 1);
});
