import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { apiClient } from '../helpers/api.ts';
import { makeRepo } from '../helpers/git-repo.ts';
import { PACKAGE_NAME } from '../../apps/core/src/index.ts';
import { createInstance, ROOT, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

interface Agent {
  id: string;
  windowId: string;
  status: string;
  project: string;
}

// A global-style install: the checkout packed as npm publishes it, installed into a temp prefix,
// and its `cmux` run from repositories of its own.
describe('cmux installed from a packed tarball, run in a repository', { timeout: 600_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  let bin: string;
  let repo: string;
  let other: string;
  const installed = (args: string[], cwd: string) =>
    execa(bin, args, { cwd, env: cmux.env, extendEnv: false, reject: false, timeout: 240_000, stdin: 'ignore' });
  const paneFolder = async (windowId: string) =>
    (await execa('tmux', ['-S', cmux.socket, 'display-message', '-p', '-t', windowId, '#{pane_current_path}'], { timeout: 5_000 })).stdout.trim();
  const agents = async () => (await api.call<Agent[]>('GET', '/api/agents')).body;

  before(async () => {
    cmux = await createInstance();
    api = apiClient(cmux);
    const npm = { cwd: cmux.base, timeout: 180_000, stdin: 'ignore' as const };
    // dist/ is built (tsc -b runs before the tests); the tarball ships it, so nothing compiles TypeScript at install.
    await execa('npm', ['pack', ROOT, '--ignore-scripts', '--pack-destination', cmux.base], npm);
    const tarball = join(cmux.base, readdirSync(cmux.base).find((f) => f.endsWith('.tgz'))!);
    const prefix = join(cmux.base, 'prefix');
    await execa('npm', ['install', '-g', '--prefix', prefix, tarball, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], npm);
    // The one native module is the checkout's build (same node): compiling SQLite takes minutes
    // here, and that is npm's job, not what this test is about.
    const sqlite = join('node_modules', 'better-sqlite3', 'build', 'Release');
    mkdirSync(join(prefix, 'lib', 'node_modules', PACKAGE_NAME, sqlite), { recursive: true });
    copyFileSync(join(ROOT, sqlite, 'better_sqlite3.node'), join(prefix, 'lib', 'node_modules', PACKAGE_NAME, sqlite, 'better_sqlite3.node'));
    bin = join(prefix, 'bin', 'cmux');
    repo = realpathSync(await makeRepo(join(cmux.base, 'my-app')));
    other = realpathSync(await makeRepo(join(cmux.base, 'other-app')));
  });
  after(async () => cmux.cleanup());

  it('`cmux start` in a repository runs the supervisor and the workers there', async () => {
    const start = await installed(['start'], join(repo, 'src'));
    assert.equal(start.exitCode, 0, `${start.stdout}\n${start.stderr}`);
    assert.match(start.stdout, new RegExp(`this folder is the project default \\(${repo}\\)`));
    assert.match(start.stdout, /the supervisor is ready/);
    const supervisor = (await agents()).find((a) => a.id === 'supervisor')!;
    assert.equal(await paneFolder(supervisor.windowId), repo);

    const spawn = await installed(['spawn', 'w1', '--task', 'look around'], join(cmux.base));
    assert.equal(spawn.exitCode, 0, spawn.stderr);
    const worker = (await agents()).find((a) => a.id === 'w1')!;
    assert.equal(worker.project, 'default');
    assert.equal(await paneFolder(worker.windowId), repo);
  });

  it('`cmux start` in a second repository adds it as a project of the running instance, with its own supervisor', async () => {
    const start = await installed(['start'], other);
    assert.equal(start.exitCode, 0, `${start.stdout}\n${start.stderr}`);
    assert.match(start.stdout, /this folder is the project other-app .*its supervisor is supervisor-other-app/);
    assert.match(start.stdout, /cmux is already running/);
    const sup = await eventually(agents, (list) => list.some((a) => a.id === 'supervisor-other-app' && a.status === 'idle'), 60_000);
    assert.equal(await paneFolder(sup.find((a) => a.id === 'supervisor-other-app')!.windowId), other);

    const spawn = await installed(['spawn', 'w2', '--project', 'other-app', '--no-wait'], repo);
    assert.equal(spawn.exitCode, 0, spawn.stderr);
    const w2 = (await agents()).find((a) => a.id === 'w2')!;
    assert.equal(w2.project, 'other-app');
    assert.equal(await paneFolder(w2.windowId), other);
    const listed = JSON.parse((await installed(['project', 'list', '--json'], repo)).stdout) as Array<{ name: string; root: string }>;
    assert.deepEqual(listed.map((p) => [p.name, p.root]), [['default', repo], ['other-app', other]]);
  });

  it('brings both projects\' supervisors back, in their folders, after a stop', async () => {
    assert.equal((await installed(['stop'], repo)).exitCode, 0);
    const start = await installed(['start'], repo);
    assert.equal(start.exitCode, 0, `${start.stdout}\n${start.stderr}`);
    const list = await eventually(agents, (l) => ['supervisor', 'supervisor-other-app'].every((id) => l.some((a) => a.id === id && a.status === 'idle')), 60_000);
    assert.equal(await paneFolder(list.find((a) => a.id === 'supervisor')!.windowId), repo);
    assert.equal(await paneFolder(list.find((a) => a.id === 'supervisor-other-app')!.windowId), other);
  });
});
