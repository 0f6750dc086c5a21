import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { createAgent } from '../../apps/agents/index.ts';
import { createLogger, loadConfig } from '../../apps/core/src/index.ts';
import { createServer } from '../../apps/server/server.ts';
import { agentHarness } from '../helpers/agents.ts';
import { cleanEnv, createInstance, freePort, type TestInstance } from '../helpers/instance.ts';

describe('the agent registry across processes', { timeout: 180_000 }, () => {
  // One instance for the spawns (each test leaves the others' expectations intact, in any order).
  let cmux: TestInstance;
  before(async () => {
    cmux = await createInstance();
  });
  after(async () => cmux?.cleanup());

  it('never lists a window it did not register, with or without agents.yaml (CONTRACT §5)', async (t) => {
    const cmux = await createInstance();
    t.after(() => cmux.cleanup());
    const tmux = ['-S', cmux.socket];
    const { execa } = await import('execa');
    await execa('tmux', [...tmux, 'new-session', '-d', '-s', 'cmux', '-n', 'cmux', 'cat'], { timeout: 5_000 });
    await execa('tmux', [...tmux, 'new-window', '-d', '-t', 'cmux:', '-n', 'old-worker', 'cat'], { timeout: 5_000 });
    assert.equal(existsSync(join(cmux.home, 'agents.yaml')), false);
    const listed = await cmux.cli(['agents', '--json']);
    assert.equal(listed.exitCode, 0, String(listed.stderr));
    assert.deepEqual(JSON.parse(String(listed.stdout)), [], 'a window opened by hand is no agent');
    assert.equal(String(listed.stderr), '', 'nothing to warn about: an empty team');
    assert.match(String((await cmux.cli(['agents'])).stdout), /^no agents$/m);
    const spawned = await cmux.cli(['spawn', 'real-one', '--command', 'cat', '--no-wait']);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    const after = JSON.parse(String((await cmux.cli(['agents', '--json'])).stdout)) as Array<{ id: string }>;
    assert.deepEqual(after.map((a) => a.id), ['real-one'], 'with agents.yaml too, only what cmux registered');
  });

  it('50 spawns from 50 processes at once: 50 windows, 50 entries, valid YAML', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `w${String(i).padStart(2, '0')}`);
    const results = await Promise.all(names.map((name) => cmux.cli(['spawn', name, '--command', 'cat', '--no-wait'], { timeoutMs: 120_000 })));
    for (const [i, r] of results.entries()) assert.equal(r.exitCode, 0, `${names[i]}: ${String(r.stderr)}`);
    const registry = parseYaml(readFileSync(join(cmux.home, 'agents.yaml'), 'utf8')) as { agents: Record<string, { windowId: string }> };
    assert.deepEqual(Object.keys(registry.agents).filter((n) => /^w\d\d$/.test(n)).sort(), names);
    const { execa } = await import('execa');
    const windows = (await execa('tmux', ['-S', cmux.socket, 'list-windows', '-a', '-F', '#{window_id} #{window_name}'], { timeout: 5_000 })).stdout.split('\n');
    for (const name of names) {
      assert.ok(windows.includes(`${registry.agents[name]!.windowId} ${name}`), `window of ${name}`);
    }
    assert.equal(windows.filter((w) => /^@\d+ w\d\d$/.test(w)).length, 50);
  });

  it('a spawn that loses the race for a name leaves no window and no entry', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => cmux.cli(['spawn', 'same-name', '--command', 'cat', '--no-wait'])));
    assert.equal(results.filter((r) => r.exitCode === 0).length, 1);
    for (const r of results.filter((r) => r.exitCode !== 0)) assert.match(String(r.stderr), /already exists/);
    const { execa } = await import('execa');
    const windows = (await execa('tmux', ['-S', cmux.socket, 'list-windows', '-a', '-F', '#{window_name}'], { timeout: 5_000 })).stdout.split('\n');
    assert.equal(windows.filter((w) => w === 'same-name').length, 1);
  });

  const file = () => join(cmux.home, 'agents.yaml');
  const lastGood = () => join(cmux.home, 'state', 'agents.last-good.yaml');
  const entries = () => (parseYaml(readFileSync(file(), 'utf8')) as { agents: Record<string, Record<string, unknown>> }).agents;
  const windowNames = async () => {
    const { execa } = await import('execa');
    return (await execa('tmux', ['-S', cmux.socket, 'list-windows', '-a', '-F', '#{window_name}'], { timeout: 5_000 })).stdout.split('\n');
  };
  const repair = async () => {
    const repaired = await cmux.cli(['registry', 'repair', '--json']);
    assert.equal(repaired.exitCode, 0, String(repaired.stderr));
    return JSON.parse(String(repaired.stdout)) as RepairReport;
  };

  it('an invalid registry stops every write with the file, line and fix; listings use the last good copy; repair restores every agent', async () => {
    const before = entries();
    assert.equal(Object.keys(before).length, 51);
    assert.equal(readFileSync(lastGood(), 'utf8'), readFileSync(file(), 'utf8'), 'the writer keeps a last good copy');
    // One agent whose window is gone meanwhile: repair keeps it (it may be stopped), windowless.
    const { execa } = await import('execa');
    await execa('tmux', ['-S', cmux.socket, 'kill-window', '-t', before.w49!.windowId as string], { timeout: 5_000 });
    const garbage = 'agents:\n  w00: [this is: not, valid\n\u0000junk';
    writeFileSync(file(), garbage);

    const listed = await cmux.cli(['agents', '--json']);
    assert.equal(listed.exitCode, 0, String(listed.stderr));
    assert.equal((JSON.parse(String(listed.stdout)) as unknown[]).length, 51, 'reads go on from the last good copy');
    assert.match(String(listed.stderr), /warning: the agent registry .*agents\.yaml is not valid: .*line 3.*last good copy/);
    const status = await cmux.cli(['status', '--json']);
    assert.equal((JSON.parse(String(status.stdout)) as { agents: number }).agents, 51, 'status counts the agents of the last good copy');

    const spawned = await cmux.cli(['spawn', 'after-corruption', '--command', 'cat', '--no-wait']);
    assert.equal(spawned.exitCode, 1);
    const message = String(spawned.stderr);
    assert.match(message, /the agent registry .*agents\.yaml is not valid: .*at line 3, column 1/);
    assert.match(message, /run `cmux registry repair`.* or fix line 3 by hand/);
    assert.ok(!(await windowNames()).includes('after-corruption'), 'a refused spawn leaves no window');
    const killed = await cmux.cli(['kill', 'w01']);
    assert.equal(killed.exitCode, 1);
    assert.match(String(killed.stderr), /is not valid/);
    assert.ok((await windowNames()).includes('w01'), 'a refused kill leaves the window');
    assert.equal(readFileSync(file(), 'utf8'), garbage, 'nothing rewrites the invalid file');

    const doctor = await cmux.cli(['doctor', '--json']);
    assert.equal(doctor.exitCode, 1);
    const check = (JSON.parse(String(doctor.stdout)) as Array<{ name: string; level: string; detail: string; fix?: string }>).find((c) => c.name === 'registry')!;
    assert.equal(check.level, 'fail');
    assert.match(check.detail, /line 3.*listed from the last good copy/);
    assert.match(check.fix ?? '', /cmux registry repair/);

    const report = await repair();
    assert.equal(report.valid, false);
    assert.equal(readFileSync(report.movedAside!, 'utf8'), garbage, 'the invalid file is kept, as it was');
    assert.equal(report.lastGood, lastGood());
    assert.deepEqual(report.dropped, []);
    assert.equal(report.restored.length, 51);
    assert.ok(report.restored.every((r) => r.from === 'last-good'));
    assert.deepEqual(report.restored.find((r) => r.id === 'w49'), { id: 'w49', windowId: null, from: 'last-good' });
    assert.deepEqual(entries(), before, 'every entry is back as it was');
    const again = await cmux.cli(['spawn', 'after-repair', '--command', 'cat', '--no-wait']);
    assert.equal(again.exitCode, 0, String(again.stderr));
    assert.equal((await repair()).valid, true, 'a valid registry is left alone');
    assert.equal(existsSync(`${file()}.lock`), false, 'the lock is released');
  });

  it('a hand edit that breaks one entry names it and its line; without a last good copy, repair joins the windows\' tmux identities', async () => {
    const before = entries();
    const text = readFileSync(file(), 'utf8');
    const breakWindowId = (yaml: string, id: string, value: string) => yaml.replace(`windowId: "${before[id]!.windowId as string}"`, `windowId: ${value}`);
    // w03 has a live window; w49's window was killed in the test above.
    const broken = breakWindowId(breakWindowId(text, 'w03', 'seven'), 'w49', 'gone');
    assert.equal(broken.split('\n').filter((l) => /windowId: (seven|gone)$/.test(l)).length, 2);
    writeFileSync(file(), broken);
    const line = broken.split('\n').indexOf('    windowId: seven') + 1;
    const spawned = await cmux.cli(['spawn', 'after-edit', '--command', 'cat', '--no-wait']);
    assert.equal(spawned.exitCode, 1);
    assert.match(String(spawned.stderr), new RegExp(`is not valid: line ${line}, agents\\.w03\\.windowId: .*fix line ${line} by hand`));

    rmSync(lastGood());
    const report = await repair();
    assert.equal(report.lastGood, null);
    assert.deepEqual(report.restored.find((r) => r.id === 'w03'), { id: 'w03', windowId: before.w03!.windowId, from: 'window' });
    assert.ok(report.restored.filter((r) => r.id !== 'w03').every((r) => r.from === 'invalid-file'));
    assert.deepEqual(report.dropped.map((d) => d.id), ['w49'], 'an invalid entry with no window and no last good copy is reported dropped');
    assert.match(report.dropped[0]!.reason, /windowId/);
    const after = entries();
    assert.deepEqual(Object.keys(after).sort(), Object.keys(before).filter((id) => id !== 'w49').sort(), 'every other agent is kept');
    assert.equal(after.w03!.windowId, before.w03!.windowId);
    assert.equal(after.w03!.server, before.w03!.server);
    assert.equal(readFileSync(report.movedAside!, 'utf8'), broken);
  });

  it('an empty file and a symbolic link are refused, never read as an empty team', async () => {
    // The last good copy is back since the repair above: reads may fall back to it.
    assert.ok(existsSync(lastGood()));
    const before = entries();
    writeFileSync(file(), '');
    const empty = await cmux.cli(['spawn', 'after-empty', '--command', 'cat', '--no-wait']);
    assert.equal(empty.exitCode, 1);
    assert.match(String(empty.stderr), /is not valid: it is empty/);
    assert.equal((await repair()).restored.length, Object.keys(before).length);
    assert.deepEqual(entries(), before);

    const elsewhere = join(cmux.base, 'agents-elsewhere.yaml');
    renameSync(file(), elsewhere);
    symlinkSync(elsewhere, file());
    const linked = await cmux.cli(['spawn', 'after-link', '--command', 'cat', '--no-wait']);
    assert.equal(linked.exitCode, 1);
    assert.match(String(linked.stderr), /is not valid: it is a symbolic link \(to .*agents-elsewhere\.yaml\)/);
    const report = await repair();
    assert.ok(lstatSync(report.movedAside!).isSymbolicLink(), 'the link itself is moved aside');
    assert.ok(lstatSync(file()).isFile());
    assert.deepEqual(entries(), before);
    assert.deepEqual((parseYaml(readFileSync(elsewhere, 'utf8')) as { agents: unknown }).agents, before, 'what the link pointed to is untouched');
  });
});

describe('the API with an invalid registry', { timeout: 60_000 }, () => {
  const harness = agentHarness({ CMUX_TOKEN: 'registry-test-token-0123456789' });
  const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
  let server: ReturnType<typeof createServer>;
  let base: string;
  after(async () => {
    await server?.stop();
    await harness.cleanup();
  });

  it('answers a spawn with CMUX_ERR_REGISTRY_CORRUPT and the fix, and still lists the agents', async () => {
    const port = await freePort();
    const config = loadConfig({ env: { ...cleanEnv(), CMUX_HOME: harness.home, CMUX_TMUX_SOCKET: join(harness.base, 'tmux.sock'), CMUX_PORT: String(port), CMUX_TOKEN: 'registry-test-token-0123456789' }, cwd: harness.base });
    server = createServer(config, quiet);
    await server.start();
    base = `http://127.0.0.1:${port}`;
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { authorization: 'Bearer registry-test-token-0123456789', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
    await createAgent(harness.deps, { name: 'keeper', command: 'cat', cwd: harness.base, createdBy: 'test' });
    writeFileSync(join(harness.home, 'agents.yaml'), 'agents:\n  keeper: {name: keeper\n');
    const refused = await call('POST', '/api/agents', { name: 'newcomer', command: 'cat', cwd: harness.base });
    assert.equal(refused.status, 500);
    const body = (await refused.json()) as { code: string; error: string };
    assert.equal(body.code, 'CMUX_ERR_REGISTRY_CORRUPT');
    assert.match(body.error, /agents\.yaml is not valid: .*line \d+.*cmux registry repair/);
    const listed = await call('GET', '/api/agents');
    assert.equal(listed.status, 200);
    assert.match(listed.headers.get('x-cmux-warning') ?? '', /last good copy/);
    // The server brought its supervisor up before the file broke; both are in the last good copy.
    assert.deepEqual(((await listed.json()) as Array<{ id: string }>).map((a) => a.id).sort(), ['keeper', 'supervisor']);
  });
});

type RepairReport = {
  valid: boolean;
  movedAside: string | null;
  lastGood: string | null;
  restored: Array<{ id: string; windowId: string | null; from: string }>;
  dropped: Array<{ id: string; reason: string }>;
};
