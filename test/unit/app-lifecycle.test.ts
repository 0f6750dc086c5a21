import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ALL_APP_NAMES, appEntry, buildEcosystem, loadConfig } from '../../apps/core/src/index.ts';
import { cleanEnv, freePort, ROOT } from '../helpers/instance.ts';
import { execa } from 'execa';
import { eventually } from '../helpers/tmux.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-life-'));
// Each app gets a tmux socket of its own here (the server brings a team up on it), never the
// default one; the servers are ended afterwards.
const sockets: string[] = [];
// Every app this file started: one a failed assertion left running would keep the test process
// (its IPC channel open) alive after the suite's timeout, and the run would never end.
const children: ChildProcess[] = [];
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const socket of sockets) await execa('tmux', ['-S', socket, 'kill-server'], { reject: false, timeout: 10_000 });
  rmSync(dir, { recursive: true, force: true });
});

// What PM2 runs for an app: its bundle, with its node arguments.
function pm2App(name: string, env: NodeJS.ProcessEnv) {
  const app = buildEcosystem(loadConfig({ env }), env).apps.find((a) => a.name === name);
  assert.ok(app, name);
  return app;
}

// Runs an app as PM2 does (forked, with an IPC channel) and returns what it said.
async function runUntilReady(script: string, env: NodeJS.ProcessEnv, execArgv: string[] = []) {
  const child = fork(script, [], { env, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<boolean>((resolve) => {
    // Generous: starting through tsx on two busy cores has taken over 10 s.
    const timer = setTimeout(() => resolve(false), 30_000);
    child.on('message', (m) => m === 'ready' && (clearTimeout(timer), resolve(true)));
    void exited.then(() => (clearTimeout(timer), resolve(false)));
  });
  return { child, ready, exited, output: () => output };
}

describe('every PM2 app: ready, then a clean stop however often it is signalled', { timeout: 180_000 }, () => {
  for (const app of ALL_APP_NAMES) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${app}: says ready and exits 0 on ${signal}`, async () => {
        const socket = join(dir, `${app}-${signal}.sock`);
        sockets.push(socket);
        const env = { ...cleanEnv(), CMUX_HOME: join(dir, `${app}-${signal}`), CMUX_PORT: String(await freePort()), CMUX_TMUX_SOCKET: socket };
        const { script, node_args: nodeArgs } = pm2App(app, env);
        const run = await runUntilReady(script, env, nodeArgs);
        assert.equal(run.ready, true, run.output());
        run.child.kill(signal);
        assert.equal(await run.exited, 0, run.output());
        assert.equal(run.output().match(/ stopped\b/g)?.length, 1, 'stopped exactly once');
      });
    }
  }

  it('stops once and exits 0 when signals keep arriving while it stops, each one seen on its own', async () => {
    const run = await runUntilReady(join(ROOT, 'test', 'fixtures', 'slow-stop-app.ts'), { ...cleanEnv(), CMUX_HOME: join(dir, 'slow') }, ['--import', 'tsx']);
    assert.equal(run.ready, true, run.output());
    const signals = ['SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT', 'SIGTERM'] as const;
    for (const [n, signal] of signals.entries()) {
      run.child.kill(signal);
      // The app logged this one before the next is sent: the kernel cannot merge them.
      await eventually(async () => run.output().match(/ received SIG(INT|TERM)\b/g)?.length ?? 0, (seen) => seen === n + 1, 10_000);
    }
    run.child.send('release');
    assert.equal(await run.exited, 0, run.output());
    assert.equal(run.output().match(/ stopping\b/g)?.length, 1, 'stopping exactly once');
    assert.equal(run.output().match(/ stopped\b/g)?.length, 1, 'stopped exactly once');
  });

  it('an app with a bad configuration exits 1 with the reason, not a stack trace', async () => {
    const env = { ...cleanEnv(), CMUX_HOME: join(dir, 'bad'), CMUX_PORT: 'not-a-port' };
    const run = await runUntilReady(appEntry(ROOT, 'cmux-router').bundle, env);
    assert.equal(run.ready, false);
    assert.equal(await run.exited, 1);
    assert.match(run.output(), /ERROR \[cmux-router\] cmux-router cannot start: invalid configuration: CMUX_PORT in environment/);
    assert.doesNotMatch(run.output(), /\n\s+at /);
  });
});
