import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { isAlive, shellQuote } from '../../apps/core/src/index.ts';
import { cleanEnv, createInstance, processesMentioning, ROOT, type TestInstance } from '../helpers/instance.ts';
import { spawnFixture, trackFixtures } from '../helpers/spawn-fixture.ts';
import { eventually } from '../helpers/tmux.ts';
import { wsRecorder } from '../helpers/ws-recorder.ts';

const KILL_TIMEOUT_MS = 5_000;
// Stop bounds its own work by kill_timeout + 5 s; measured from outside, the CLI's own start is
// in the figure too, which took seconds under npm run test:load beside other suites (11.4 s once).
const CLI_START_ALLOWANCE_MS = 10_000;

describe('stop with processes that do not go quietly', { timeout: 240_000 }, () => {
  let cmux: TestInstance;
  const children = trackFixtures();
  before(async () => {
    cmux = await createInstance();
  });
  after(async () => cmux.cleanup());

  it('frees the port from a cmux server that ignores SIGTERM, and spares a connected client', async () => {
    const stubborn = await spawnFixture('stubborn-server.mjs', [String(cmux.port)], {
      env: { ...cleanEnv(), CMUX_HOME: cmux.home },
      readyLine: 'listening',
      detached: true,
    });
    const client = await spawnFixture('hold-connection.mjs', [String(cmux.port)], { readyLine: 'connected' });
    children.push(stubborn, client);

    const started = Date.now();
    const stop = await cmux.cli(['stop']);
    const took = Date.now() - started;
    assert.equal(stop.exitCode, 0, String(stop.stderr));
    assert.match(String(stop.stdout), new RegExp(`stopped pid ${stubborn.pid} listening on port ${cmux.port} \\(SIGKILL after SIGTERM was ignored\\)`));
    assert.ok(took < KILL_TIMEOUT_MS + 5_000 + CLI_START_ALLOWANCE_MS, `stop took ${took} ms`);
    assert.equal(isAlive(stubborn.pid!), false);
    assert.equal(isAlive(client.pid!), true, 'a client connected to the port is never killed');
    assert.doesNotMatch(String(stop.stdout), new RegExp(`pid ${client.pid}`));
  });

  it('ends a tmux session a leftover server starts again as it is reaped', async () => {
    const reviving = await spawnFixture('reviving-server.mjs', [String(cmux.port), cmux.socket], {
      env: { ...cleanEnv(), CMUX_HOME: cmux.home },
      readyLine: 'listening',
      detached: true,
    });
    children.push(reviving);
    const stop = await cmux.cli(['stop']);
    assert.equal(stop.exitCode, 0, String(stop.stderr));
    assert.match(String(stop.stdout), new RegExp(`stopped pid ${reviving.pid} listening on port ${cmux.port} \\(SIGTERM\\)`));
    assert.match(String(stop.stdout), /stopped the tmux server a leftover server had started again/);
    const alive = await execa('tmux', ['-S', cmux.socket, 'list-sessions'], { reject: false, timeout: 10_000 });
    assert.notEqual(alive.exitCode, 0, `a tmux server is left: ${alive.stdout}`);
  });

  it('stops a server holding an idle raw TCP client and a dashboard WebSocket, and a program a window started that ignores the hangup: nothing left, the client spared', async () => {
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, String(start.stderr));
    // A program that outlives the tmux server: it ignores the hangup its pane sends as it goes.
    const pidFile = join(cmux.base, 'lingerer.pid');
    const spawned = await cmux.cli(['spawn', 'lingerer', '--command', `nohup sleep 600 >/dev/null 2>&1 & echo $! > ${shellQuote(pidFile)}; exec cat`, '--no-wait']);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    const lingerer = await eventually(async () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0), (n) => n > 0, 30_000);
    assert.equal(isAlive(lingerer), true);
    const client = await spawnFixture('hold-connection.mjs', [String(cmux.port)], { readyLine: 'connected' });
    children.push(client);
    const clientClosed = new Promise<void>((resolve) => client.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('closed') && resolve()));
    const token = readFileSync(join(cmux.home, 'token'), 'utf8').trim();
    const dashboard = wsRecorder(() => `ws://127.0.0.1:${cmux.port}/api/ws?token=${token}`);
    try {
      await dashboard.open();
      const daemonLogFile = join(cmux.pm2Home, 'pm2.log');
      const daemonLogBefore = readFileSync(daemonLogFile, 'utf8').length;
      const stop = await cmux.cli(['stop']);
      assert.equal(stop.exitCode, 0, String(stop.stderr));
      assert.match(String(stop.stdout), /stopped cmux-server/);
      assert.match(String(stop.stdout), new RegExp(`stopped pid ${lingerer}, started in an agent window, which outlived the tmux server`));
      assert.equal(isAlive(lingerer), false, 'the program that ignored the hangup is gone after stop');
      await clientClosed;
      assert.equal(dashboard.gaps().length, 1, 'the WebSocket was closed');
      // Stopped by its own shutdown, not killed by PM2 after kill_timeout: as PM2's own log says
      // (its daemon writes that file itself; the app's last lines can miss the app's log, as
      // PM2 closes that file at the exit event, maybe before it has read them from the pipe).
      const daemonLog = readFileSync(daemonLogFile, 'utf8').slice(daemonLogBefore);
      assert.match(daemonLog, /App \[cmux-server:\d+\] exited with code \[0\] via signal \[SIGINT\]/);
      assert.doesNotMatch(daemonLog, /still alive after/);
      assert.deepEqual(processesMentioning(cmux.base), []);
      assert.equal(isAlive(client.pid!), true, 'the client is never killed');
    } finally {
      dashboard.close();
    }
  });

  it('reports a foreign listener on the port and leaves it alone', async () => {
    const foreign = await spawnFixture('stubborn-server.mjs', [String(cmux.port)], { env: cleanEnv(), readyLine: 'listening' });
    children.push(foreign);
    const stop = await cmux.cli(['stop']);
    assert.equal(stop.exitCode, 0, String(stop.stderr));
    assert.match(String(stop.stdout), new RegExp(`left pid ${foreign.pid} \\(.*stubborn-server.mjs.*\\) listening on port ${cmux.port}: it is not cmux's`));
    assert.match(String(stop.stdout), /nothing to stop/);
    assert.equal(isAlive(foreign.pid!), true);
  });

  it('leaves a PM2 daemon that manages other apps running, and says so', async () => {
    const pm2 = join(ROOT, 'node_modules', '.bin', 'pm2');
    const pm2Env = { ...cleanEnv(), PM2_HOME: cmux.pm2Home };
    const other = await execa(pm2, ['start', join(ROOT, 'test', 'fixtures', 'hold-connection.mjs'), '--name', 'not-cmux', '--', '1'], {
      env: pm2Env,
      extendEnv: false,
      reject: false,
      timeout: 30_000,
    });
    assert.equal(other.exitCode, 0, String(other.stderr));
    try {
      const start = await cmux.cli(['start']);
      assert.equal(start.exitCode, 0, String(start.stderr));
      const stop = await cmux.cli(['stop']);
      assert.equal(stop.exitCode, 0, String(stop.stderr));
      assert.match(String(stop.stdout), /stopped cmux-server/);
      assert.match(String(stop.stdout), /left the PM2 daemon \(pid \d+\) running: it manages 1 other app/);
      const list = await execa(pm2, ['jlist'], { env: pm2Env, extendEnv: false, timeout: 30_000 });
      assert.deepEqual((JSON.parse(list.stdout) as Array<{ name: string }>).map((p) => p.name), ['not-cmux']);
    } finally {
      await execa(pm2, ['kill'], { env: pm2Env, extendEnv: false, reject: false, timeout: 30_000 });
    }
  });
});
