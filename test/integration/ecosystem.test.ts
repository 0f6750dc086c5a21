import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { isAlive } from '../../apps/core/src/index.ts';
import { createInstance, processesMentioning, ROOT, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

const APPS = ['cmux-server', 'cmux-router', 'cmux-log-watcher', 'cmux-frontend-healer'];

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('the real ecosystem: start, status, stop', { timeout: 180_000 }, () => {
  let cmux: TestInstance;
  before(async () => {
    cmux = await createInstance();
  });
  after(async () => cmux.cleanup());

  it('starts all four apps online, answers health and writes a 0600 token', async () => {
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, String(start.stderr));
    const token = readFileSync(join(cmux.home, 'token'), 'utf8').trim();
    assert.match(String(start.stdout), new RegExp(`dashboard: http://127\\.0\\.0\\.1:${cmux.port}/\\?code=[A-Za-z0-9_-]+$`, "m"));
    assert.ok(!String(start.stdout).includes(token), 'the token is never printed in a URL');
    assert.equal(statSync(join(cmux.home, 'token')).mode & 0o777, 0o600);

    const status = await cmux.cli(['status', '--json']);
    assert.equal(status.exitCode, 0, String(status.stderr));
    const parsed = JSON.parse(String(status.stdout)) as { running: boolean; apps: Array<{ name: string; status: string; pid: number }> };
    assert.equal(parsed.running, true);
    assert.deepEqual(parsed.apps.map((a) => [a.name, a.status]), APPS.map((name) => [name, 'online']));
    for (const app of parsed.apps) assert.ok(app.pid > 0);
    // PM2 overwrites the process title, so the app's own ready line tells its node flags.
    const watcherLog = await eventually(async () => readFileSync(join(cmux.home, 'logs', 'cmux-log-watcher.out.log'), 'utf8'), (t) => t.includes('ready'));
    assert.match(watcherLog, /cmux-log-watcher ready .*"execArgv":\["--max-semi-space-size=2","--lite-mode","--no-expose-wasm"\]/, 'the log watcher runs with its node args');

    const health = await fetch(`http://127.0.0.1:${cmux.port}/api/webhooks/health`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as { api: string; frontend: { indexExists: boolean } };
    assert.equal(body.api, 'healthy');
    assert.equal((await fetch(`http://127.0.0.1:${cmux.port}/health`)).status, 200);
    const unauthorised = await fetch(`http://127.0.0.1:${cmux.port}/api/processes`);
    assert.equal(unauthorised.status, 401);
    const processes = await fetch(`http://127.0.0.1:${cmux.port}/api/processes`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(processes.status, 200);
    assert.deepEqual(((await processes.json()) as Array<{ name: string }>).map((p) => p.name), APPS);

    for (const app of APPS) {
      assert.ok(existsSync(join(cmux.home, 'logs', `${app}.out.log`)), `${app} logs to CMUX_HOME/logs`);
      assert.equal(statSync(join(cmux.home, 'logs', `${app}.out.log`)).mode & 0o777, 0o600);
    }
    assert.match(readFileSync(join(cmux.home, 'logs', 'cmux-server.out.log'), 'utf8'), /cmux-server ready/);
  });

  it('is a no-op that says so when started again', async () => {
    const again = await cmux.cli(['start']);
    assert.equal(again.exitCode, 0, String(again.stderr));
    assert.match(String(again.stdout), /already running/);
    assert.doesNotMatch(String(again.stdout), /started cmux-/);
  });

  it('restarts a crashed app through PM2', async () => {
    const before = JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; pid: number }> };
    const router = before.apps.find((a) => a.name === 'cmux-router')!;
    process.kill(router.pid, 'SIGKILL');
    const now = await eventually(
      async () => (JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; pid: number | null; status: string; restarts: number }> }).apps.find((a) => a.name === 'cmux-router')!,
      (app) => app.status === 'online' && app.pid !== router.pid && app.pid !== null,
      30_000,
    );
    assert.equal(now.status, 'online');
    assert.notEqual(now.pid, router.pid);
    assert.ok(now.restarts >= 1);
  });

  it('shows logs, checks the machine, and restarts the apps while the tmux session lives on', async () => {
    const logs = await cmux.cli(['logs', 'cmux-server', '-n', '5']);
    assert.equal(logs.exitCode, 0, String(logs.stderr));
    assert.match(String(logs.stdout), /cmux-server\.out\.log <==[\s\S]*cmux-server ready/);
    const json = JSON.parse(String((await cmux.cli(['logs', '--json', '-n', '1'])).stdout)) as Array<{ file: string; lines: string[] }>;
    assert.equal(json.length, 8, 'out and err files of the four apps');
    const bad = await cmux.cli(['logs', 'no-such-app']);
    assert.equal(bad.exitCode, 2);
    assert.match(String(bad.stderr), /unknown app "no-such-app": use one of cmux-server/);

    const doctor = JSON.parse(String((await cmux.cli(['doctor', '--json'])).stdout)) as Array<{ name: string; level: string; detail: string }>;
    assert.deepEqual(doctor.map((c) => c.name), ['node', 'tmux', 'pm2', `port ${cmux.port}`, 'CMUX_HOME', 'registry', 'agent command']);
    assert.match(doctor.find((c) => c.name === `port ${cmux.port}`)!.detail, /held by this cmux/);
    assert.equal(doctor.filter((c) => c.level === 'fail').length, 0);

    const tmuxBefore = await execa('tmux', ['-S', cmux.socket, 'display-message', '-p', '-t', '=cmux', '#{pid} #{session_id}'], { timeout: 5_000 });
    const before = JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { apps: Array<{ pid: number }> };
    const restart = await cmux.cli(['restart']);
    assert.equal(restart.exitCode, 0, String(restart.stderr));
    const after = JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { running: boolean; apps: Array<{ pid: number; status: string }> };
    assert.equal(after.running, true, `not running after a restart: ${JSON.stringify(after)}`);
    for (const [i, app] of after.apps.entries()) assert.notEqual(app.pid, before.apps[i]!.pid);
    const tmuxAfter = await execa('tmux', ['-S', cmux.socket, 'display-message', '-p', '-t', '=cmux', '#{pid} #{session_id}'], { timeout: 5_000 });
    assert.equal(tmuxAfter.stdout, tmuxBefore.stdout, 'the tmux server and session survive a restart');
  });

  it('stops everything: no process, port, tmux server or PM2 daemon left; a second stop has nothing to do', async () => {
    const daemon = Number(readFileSync(join(cmux.pm2Home, 'pm2.pid'), 'utf8'));
    const started = Date.now();
    const stop = await cmux.cli(['stop']);
    const took = Date.now() - started;
    assert.equal(stop.exitCode, 0, String(stop.stderr));
    for (const app of APPS) assert.match(String(stop.stdout), new RegExp(`stopped ${app} \\(pid \\d+\\)`));
    assert.match(String(stop.stdout), /stopped the tmux server/);
    assert.match(String(stop.stdout), new RegExp(`stopped the PM2 daemon \\(pid ${daemon}\\)`));
    assert.ok(took < 5_000 + 5_000, `stop took ${took} ms, more than kill_timeout + 5 s`);

    assert.deepEqual(processesMentioning(cmux.base), []);
    assert.equal(await refusesConnections(cmux.port), true);
    const tmux = await execa('tmux', ['-S', cmux.socket, 'list-sessions'], { reject: false, timeout: 5_000 });
    assert.notEqual(tmux.exitCode, 0, 'the tmux server is gone');
    assert.equal(isAlive(daemon), false, 'the PM2 daemon is gone');
    assert.ok(existsSync(join(cmux.home, 'token')), 'state is kept');

    const again = await cmux.cli(['stop']);
    assert.equal(again.exitCode, 0);
    assert.equal(String(again.stdout).trim(), 'nothing to stop');
    assert.equal(existsSync(join(cmux.pm2Home, 'pm2.pid')) && processesMentioning(cmux.pm2Home).length > 0, false);
  });

  it('`pm2 start ecosystem.config.cjs` starts the same four apps', async () => {
    const pm2 = join(ROOT, 'node_modules', '.bin', 'pm2');
    const started = await execa(pm2, ['start', 'ecosystem.config.cjs'], { cwd: ROOT, env: cmux.env, extendEnv: false, reject: false, timeout: 60_000 });
    assert.equal(started.exitCode, 0, String(started.stderr));
    const status = JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; status: string }> };
    assert.deepEqual(status.apps.map((a) => [a.name, a.status]), APPS.map((name) => [name, 'online']));
    const stop = await cmux.cli(['stop']);
    assert.equal(stop.exitCode, 0);
    assert.deepEqual(processesMentioning(cmux.base), []);
  });
});
