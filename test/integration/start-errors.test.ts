import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAgentDeps } from '../../apps/agents/index.ts';
import { startCmux } from '../../apps/cli/ops/start.ts';
import { createLogger, isAlive, loadConfig } from '../../apps/core/src/index.ts';
import { cleanEnv, createInstance, processesMentioning, ROOT, type TestInstance } from '../helpers/instance.ts';
import { spawnFixture, trackFixtures } from '../helpers/spawn-fixture.ts';

// Nothing of this instance may be running: no PM2 daemon, no tmux server, no app.
function assertNothingStarted(cmux: TestInstance): void {
  assert.equal(existsSync(join(cmux.pm2Home, 'pm2.pid')), false, 'no PM2 daemon was started');
  assert.equal(existsSync(cmux.socket), false, 'no tmux server was started');
  assert.deepEqual(processesMentioning(cmux.base), []);
}

describe('start refuses clearly and starts nothing', { timeout: 120_000 }, () => {
  let cmux: TestInstance;
  const children = trackFixtures();
  before(async () => {
    cmux = await createInstance();
  });
  after(async () => cmux.cleanup());

  it('names the foreign process that holds the port and kills nothing', async () => {
    const foreign = await spawnFixture('stubborn-server.mjs', [String(cmux.port)], { env: cleanEnv(), readyLine: 'listening' });
    children.push(foreign);
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 1);
    assert.match(String(start.stderr), new RegExp(`^cmux: port ${cmux.port} on 127\\.0\\.0\\.1 is already in use, held by pid ${foreign.pid} \\(.*stubborn-server\\.mjs.*\\): stop it or set CMUX_PORT`));
    assert.equal(isAlive(foreign.pid!), true);
    assertNothingStarted(cmux);
  });

  const badConfigs: Array<{ name: string; yaml?: string; env?: NodeJS.ProcessEnv; error: RegExp }> = [
    { name: 'an unknown key', yaml: 'server:\n  prot: 9000\n', error: /invalid configuration: server\.prot in .*bad\.yaml: unknown key/ },
    { name: 'a wrong type', yaml: 'healer:\n  intervalSeconds: "fast"\n', error: /invalid configuration: healer\.intervalSeconds in .*bad\.yaml: .*expected number.*\(got "fast"\)/ },
    { name: 'bad YAML', yaml: 'server: [port: 1\n  x', error: /invalid configuration: \(file\) in .*bad\.yaml: invalid YAML/ },
    { name: 'a bad environment value', env: { CMUX_PORT: 'abc' }, error: /invalid configuration: CMUX_PORT in environment: expected a whole number \(got "abc"\)/ },
    { name: 'a port out of range', env: { CMUX_PORT: '70000' }, error: /invalid configuration: CMUX_PORT in environment: .*65535/ },
  ];
  for (const bad of badConfigs) {
    it(`rejects ${bad.name} with the key, the file and the reason`, async () => {
      const env: NodeJS.ProcessEnv = { ...bad.env };
      if (bad.yaml !== undefined) {
        const file = join(cmux.base, 'bad.yaml');
        writeFileSync(file, bad.yaml);
        env.CMUX_CONFIG = file;
      }
      const start = await cmux.cli(['start'], { env });
      assert.equal(start.exitCode, 1);
      assert.match(String(start.stderr), bad.error);
      assert.doesNotMatch(String(start.stderr), /\n\s+at /, 'no stack trace');
      assertNothingStarted(cmux);
    });
  }

  // The preflight (#25 finding 7): what would crash-loop an app under PM2 is refused first.
  const refusals: Array<{ name: string; env?: NodeJS.ProcessEnv; plant?: (home: string, outside: string) => void; error: (home: string) => RegExp }> = [
    {
      name: 'a non-loopback bind without a chosen token',
      env: { CMUX_HOST: '0.0.0.0' },
      error: () => /^cmux: refusing to listen on 0\.0\.0\.0, which is not loopback, without a token chosen for it: set CMUX_TOKEN \(16\+ characters\) or server\.token, or bind to 127\.0\.0\.1$/m,
    },
    {
      name: 'state/ planted as a link',
      plant: (home, outside) => symlinkSync(outside, join(home, 'state')),
      error: (home) => new RegExp(`^cmux: ${home}/state is a symbolic link, not a folder: cmux follows no link inside CMUX_HOME .*Move it away`, 'm'),
    },
    {
      name: 'logs/ planted as a link',
      plant: (home, outside) => {
        rmSync(join(home, 'logs'), { recursive: true });
        symlinkSync(outside, join(home, 'logs'));
      },
      error: (home) => new RegExp(`^cmux: ${home}/logs is a symbolic link, not a folder`, 'm'),
    },
    {
      name: 'a log file planted as a link',
      plant: (home, outside) => symlinkSync(join(outside, 'file'), join(home, 'logs', 'cmux-server.err.log')),
      error: (home) => new RegExp(`^cmux: ${home}/logs/cmux-server\\.err\\.log is a symbolic link, not a regular file`, 'm'),
    },
    {
      name: 'the registry as a FIFO',
      plant: (home) => execFileSync('mkfifo', [join(home, 'agents.yaml')], { timeout: 5_000 }),
      error: (home) => new RegExp(`^cmux: ${home}/agents\\.yaml is a FIFO \\(named pipe\\), not a regular file`, 'm'),
    },
    {
      name: 'a folder above CMUX_HOME that anyone may write in',
      plant: (home) => chmodSync(dirname(home), 0o777),
      error: (home) => new RegExp(`^cmux: ${dirname(home)}, a folder above CMUX_HOME ${home}, is writable by group or others without the sticky bit \\(mode 0777\\): .*chmod go-w ${dirname(home)}`, 'm'),
    },
  ];
  for (const [i, refusal] of refusals.entries()) {
    it(`refuses ${refusal.name} before anything runs, saying what to do`, async () => {
      // A CMUX_HOME of its own, with the folders a start leaves.
      const home = join(cmux.base, `home-${i}`);
      mkdirSync(join(home, 'logs'), { recursive: true, mode: 0o700 });
      const outside = mkdtempSync(join(tmpdir(), 'cx-outside-'));
      writeFileSync(join(outside, 'file'), 'outside\n');
      try {
        refusal.plant?.(home, outside);
        const start = await cmux.cli(['start'], { env: { CMUX_HOME: home, ...refusal.env } });
        assert.equal(start.exitCode, 1, String(start.stdout));
        assert.match(String(start.stderr), refusal.error(home));
        assert.doesNotMatch(String(start.stderr), /\n\s+at /, 'no stack trace');
        assertNothingStarted(cmux);
        assert.deepEqual(readdirSync(outside), ['file'], 'nothing was written through the link');
        assert.equal(readFileSync(join(outside, 'file'), 'utf8'), 'outside\n');
      } finally {
        chmodSync(cmux.base, 0o700);
        rmSync(outside, { recursive: true, force: true });
      }
    });
  }

  it('says to build when an app\'s bundle is missing, before it starts anything', async () => {
    // A cmux folder with its configuration (and its agent kinds') but nothing built.
    const root = mkdtempSync(join(tmpdir(), 'cx-unbuilt-'));
    try {
      for (const folder of ['config', join('apps', 'agents', 'kinds')]) cpSync(join(ROOT, folder), join(root, folder), { recursive: true });
      const config = loadConfig({ env: cmux.env, cwd: cmux.base, root });
      const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
      const deps = createAgentDeps(config, createLogger('test', { out: quiet, err: quiet }));
      await assert.rejects(startCmux(deps, () => undefined), (error: Error) => {
        assert.equal(error.message, `cmux-server is not built (${join(root, 'dist', 'bundles', 'server.js')} is missing): run \`npm run build\` in ${root}`);
        return true;
      });
      assertNothingStarted(cmux);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('says in one line how to install a missing tmux', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'cx-bin-'));
    try {
      symlinkSync(process.execPath, join(bin, 'node'));
      const start = await cmux.cli(['start'], { env: { PATH: bin } });
      assert.equal(start.exitCode, 1);
      const lines = String(start.stderr).trim().split('\n');
      assert.equal(lines.length, 1, String(start.stderr));
      assert.match(lines[0]!, /^cmux: tmux is not installed or not on PATH; install it: `sudo apt-get install tmux`/);
      assertNothingStarted(cmux);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('start that fails half way', { timeout: 180_000 }, () => {
  let cmux: TestInstance;
  before(async () => {
    cmux = await createInstance();
  });
  after(async () => cmux.cleanup());

  it('says what failed and what to do; a second start finishes the job, and stop leaves nothing', async () => {
    const config = cmux.env.CMUX_CONFIG!;
    const usual = readFileSync(config, 'utf8');
    // The apps start, but the server does not load until the test lets it: start waits 2 s for
    // its health, then gives up.
    writeFileSync(config, `${usual}\nprocesses:\n  readyTimeoutMs: 2000\n`);
    const gate = join(cmux.base, 'hold-server');
    writeFileSync(gate, '');
    const held = { NODE_OPTIONS: `--require=${join(ROOT, 'test', 'fixtures', 'slow-server-start.cjs')}`, HOLD_SERVER_WHILE: gate };
    const failed = await cmux.cli(['start'], { env: held });
    assert.equal(failed.exitCode, 1, String(failed.stdout));
    assert.match(String(failed.stderr), /^cmux: cmux-server did not answer http:\/\/127\.0\.0\.1:\d+\/health within 2000 ms: see `cmux logs cmux-server`, then `cmux stop`$/m);
    assert.doesNotMatch(String(failed.stderr), /\n\s+at /, 'no stack trace');
    assert.match(String(failed.stdout), /started cmux-server/, `it got half way: ${String(failed.stdout)}${String(failed.stderr)}`);

    writeFileSync(config, usual);
    rmSync(gate);
    const again = await cmux.cli(['start']);
    assert.equal(again.exitCode, 0, String(again.stderr));
    assert.match(String(again.stdout), /the supervisor is ready/);
    const status = JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; status: string }> };
    assert.deepEqual(status.apps.map((a) => a.status), ['online', 'online', 'online', 'online']);

    const stop = await cmux.cli(['stop']);
    assert.equal(stop.exitCode, 0, String(stop.stderr));
    assert.deepEqual(processesMentioning(cmux.base), []);
  });
});
