import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { createInstance, type TestInstance } from '../helpers/instance.ts';

describe('the agent registry across processes', { timeout: 180_000 }, () => {
  // One instance for the spawns (each test leaves the others' expectations intact, in any order).
  let cmux: TestInstance;
  before(async () => {
    cmux = await createInstance();
  });
  after(async () => cmux?.cleanup());

  it('lists the session\'s windows as unregistered, with a warning, when there is no registry', async (t) => {
    const cmux = await createInstance();
    t.after(() => cmux.cleanup());
    const tmux = ['-S', cmux.socket];
    const { execa } = await import('execa');
    await execa('tmux', [...tmux, 'new-session', '-d', '-s', 'cmux', '-n', 'cmux', 'cat'], { timeout: 5_000 });
    await execa('tmux', [...tmux, 'new-window', '-d', '-t', 'cmux:', '-n', 'old-worker', 'cat'], { timeout: 5_000 });
    const listed = await cmux.cli(['agents', '--json']);
    assert.equal(listed.exitCode, 0, String(listed.stderr));
    const agents = JSON.parse(String(listed.stdout)) as Array<{ id: string; registered: boolean }>;
    assert.deepEqual(agents.map((a) => [a.id, a.registered]), [['old-worker', false]], 'the system window cmux is not an agent');
    assert.match(String(listed.stderr), /warning: no agent registry at .*agents\.yaml/);
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

  it('a corrupt registry is reported, never emptied in place: the next write sets it aside', async () => {
    const file = join(cmux.home, 'agents.yaml');
    const garbage = 'agents: [this is: not, valid\n\u0000junk';
    writeFileSync(file, garbage);
    const listed = await cmux.cli(['agents']);
    assert.equal(listed.exitCode, 1);
    assert.match(String(listed.stderr), /the agent registry .*agents\.yaml is not valid/);
    assert.equal(readFileSync(file, 'utf8'), garbage, 'reading never rewrites it');

    const spawned = await cmux.cli(['spawn', 'after-corruption', '--command', 'cat', '--no-wait']);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    assert.match(String(spawned.stderr), /moved it to .*agents\.yaml\.corrupt-/);
    const aside = readdirSync(cmux.home).filter((f) => f.startsWith('agents.yaml.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(readFileSync(join(cmux.home, aside[0]!), 'utf8'), garbage, 'the corrupt file is kept as it was');
    const registry = parseYaml(readFileSync(file, 'utf8')) as { agents: Record<string, unknown> };
    assert.deepEqual(Object.keys(registry.agents), ['after-corruption']);
    assert.equal(existsSync(`${file}.lock`), false, 'the lock is released');
  });
});
