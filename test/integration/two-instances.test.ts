import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appendMessage } from '../../apps/core/src/index.ts';
import { apiClient } from '../helpers/api.ts';
import { createInstance, processesMentioning, type TestInstance } from '../helpers/instance.ts';
import { storedMessages } from '../helpers/load.ts';
import { eventually } from '../helpers/tmux.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...filesUnder(join(dir, e.name))] : [join(dir, e.name)]));
}

describe('two cmux instances side by side', { timeout: 240_000 }, () => {
  let one: TestInstance;
  let two: TestInstance;
  before(async () => {
    [one, two] = await Promise.all([createInstance(), createInstance()]);
    for (const cmux of [one, two]) {
      const start = await cmux.cli(['start']);
      assert.equal(start.exitCode, 0, String(start.stderr));
      const spawn = await cmux.cli(['spawn', 'worker', '--task', `hello from ${cmux.port}`]);
      assert.equal(spawn.exitCode, 0, String(spawn.stderr));
    }
  });
  after(async () => Promise.all([one?.cleanup(), two?.cleanup()]));

  it('refuses to start a second instance in a PM2 daemon that runs the first', async () => {
    const clash = await two.cli(['start'], { env: { PM2_HOME: one.pm2Home } });
    assert.equal(clash.exitCode, 1);
    assert.match(String(clash.stderr), /already runs cmux for CMUX_HOME .*: give this instance a PM2_HOME of its own/);
  });

  it('keeps the files of each owner-only', () => {
    for (const cmux of [one, two]) {
      for (const path of filesUnder(cmux.home)) {
        assert.equal(statSync(path).mode & 0o077, 0, `${path} is open to others (${(statSync(path).mode & 0o777).toString(8)})`);
      }
    }
  });

  it('stopping one under load leaves the other with every agent, message and process', async () => {
    // The long-lived ones: the PM2 daemon, the four apps, the tmux server and the agents (not the
    // short tmux calls that come and go).
    const lasting = () =>
      processesMentioning(two.base)
        .filter((p) => /God Daemon|dist\/bundles|new-session/.test(p.command))
        .map((p) => p.pid)
        .sort();
    const before = lasting();
    assert.ok(before.length >= 6, `${before.length} processes`);
    const load = async (cmux: TestInstance, n: number) => {
      for (let i = 0; i < n; i++) await appendMessage(cmux.home, { from: 'loader', to: 'user', subject: `m ${i}` });
    };
    await Promise.all([load(one, 200), load(two, 200)]);
    const stop = await one.cli(['stop']);
    assert.equal(stop.exitCode, 0, String(stop.stderr));
    assert.deepEqual(processesMentioning(one.base), []);
    await load(two, 100);
    await eventually(async () => storedMessages(two.home).filter((m) => m.from === 'loader').length, (n) => n === 300, 30_000);
    const after = lasting();
    assert.deepEqual(after, before, 'every process of the other instance is the same one');
    const agents = (await apiClient(two).call<Array<{ id: string; status: string }>>('GET', '/api/agents')).body;
    assert.deepEqual(agents.map((a) => a.id).sort(), ['supervisor', 'worker']);
    assert.ok(agents.every((a) => a.status === 'idle' || a.status === 'busy'));
  });
});
