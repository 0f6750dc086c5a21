import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { shellQuote } from '../../apps/core/src/index.ts';
import { apiClient } from '../helpers/api.ts';
import { createInstance, ROOT, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

interface Entry {
  windowId: string;
  server?: string;
  state?: string;
}

// The team outlives a stop: the same agents come back at the next start, under the same
// identities, and what was sent to them meanwhile arrives once.
describe('the team across stops and starts', { timeout: 600_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const demo = `${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`;
  const record = (name: string) => join(cmux.base, `${name}.jsonl`);
  const received = (name: string) =>
    existsSync(record(name)) ? readFileSync(record(name), 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text) : [];
  const registry = () => (parseYaml(readFileSync(join(cmux.home, 'agents.yaml'), 'utf8')) as { agents: Record<string, Entry> }).agents;
  const tags = async () =>
    Object.fromEntries(
      (await execa('tmux', ['-S', cmux.socket, 'list-windows', '-a', '-F', '#{window_id} #{@cmux-agent}'], { timeout: 10_000 })).stdout
        .split('\n')
        .map((line) => line.split(' ') as [string, string])
        .filter(([, tag]) => tag),
    );
  const statusOf = async (id: string) => (await api.call<Array<{ id: string; status: string }>>('GET', '/api/agents')).body.find((a) => a.id === id)?.status;

  before(async () => {
    cmux = await createInstance();
    api = apiClient(cmux);
    assert.equal((await cmux.cli(['start'])).exitCode, 0);
    for (const name of ['w1', 'w2']) {
      const spawned = await cmux.cli(['spawn', name, '--command', `CMUX_DEMO_RECORD=${shellQuote(record(name))} ${demo}`, '--task', `hello ${name}`]);
      assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    }
  });
  after(async () => cmux?.cleanup());

  for (const round of [1, 2, 3]) {
    it(`round ${round}: stop with messages in flight, start, and the same agents are back with their messages`, async () => {
      const before = registry();
      const sent = await cmux.cli(['send', 'w1', `work on this: sleep 2 (round ${round})`, '--no-wait']);
      assert.equal(sent.exitCode, 0, String(sent.stderr));
      const queued = await cmux.cli(['send', 'w2', `queued in round ${round}`, '--no-wait']);
      assert.equal(queued.exitCode, 0, String(queued.stderr));

      const stop = await cmux.cli(['stop']);
      assert.equal(stop.exitCode, 0, String(stop.stderr));
      assert.match(String(stop.stdout), /kept 3 agent\(s\) to bring back at the next start: .*w1/);
      assert.deepEqual(Object.values(registry()).map((e) => e.state), ['stopped', 'stopped', 'stopped']);
      const listed = JSON.parse(String((await cmux.cli(['agents', '--json'])).stdout)) as Array<{ id: string; status: string }>;
      assert.deepEqual(listed.map((a) => [a.id, a.status]).sort(), [['supervisor', 'stopped'], ['w1', 'stopped'], ['w2', 'stopped']]);

      const start = await cmux.cli(['start'], { timeoutMs: 120_000 });
      assert.equal(start.exitCode, 0, String(start.stderr));
      assert.match(String(start.stdout), /the supervisor is ready/);
      const after = registry();
      assert.deepEqual(Object.keys(after).sort(), ['supervisor', 'w1', 'w2']);
      const live = await tags();
      for (const [id, entry] of Object.entries(after)) {
        assert.equal(entry.state, 'running');
        assert.equal(live[entry.windowId], id, `${id}'s window carries its identity`);
        assert.notEqual(entry.server, before[id]!.server, `${id} lives on the new tmux server`);
      }
      for (const id of ['w1', 'w2']) await eventually(() => statusOf(id), (s) => s === 'idle', 60_000);
      await eventually(async () => received('w2'), (texts) => texts.includes(`queued in round ${round}`), 60_000);
      await eventually(async () => received('w1'), (texts) => texts.some((t) => t.includes(`(round ${round})`)), 60_000);
      assert.equal(received('w2').filter((t) => t === `queued in round ${round}`).length, 1, 'exactly once');
      assert.equal(received('w1').filter((t) => t.includes(`(round ${round})`)).length, 1, 'exactly once');
    });
  }

  it('brings a supervisor whose window was killed back within 10 s, and kill supervisor needs --force', async () => {
    const { windowId } = registry().supervisor!;
    await execa('tmux', ['-S', cmux.socket, 'kill-window', '-t', windowId], { timeout: 10_000 });
    const gone = Date.now();
    await eventually(() => statusOf('supervisor'), (s) => s === 'idle' || s === 'busy', 30_000);
    assert.ok(Date.now() - gone < 10_000, `back after ${Date.now() - gone} ms`);

    const refused = await cmux.cli(['kill', 'supervisor']);
    assert.notEqual(refused.exitCode, 0);
    assert.match(String(refused.stderr), /--force/);
    assert.equal((await api.call('DELETE', '/api/agents/supervisor')).status, 400);
    const forced = await cmux.cli(['kill', 'supervisor', '--force']);
    assert.equal(forced.exitCode, 0, String(forced.stderr));
    await eventually(() => statusOf('supervisor'), (s) => s === 'idle' || s === 'busy', 30_000);
  });

  it('starts only the supervisor with --fresh, the old team archived', async () => {
    assert.notEqual((await cmux.cli(['start', '--fresh'])).exitCode, 0, 'refused while running');
    assert.equal((await cmux.cli(['stop'])).exitCode, 0);
    const fresh = await cmux.cli(['start', '--fresh'], { timeoutMs: 120_000 });
    assert.equal(fresh.exitCode, 0, String(fresh.stderr));
    assert.match(String(fresh.stdout), /archived the last team's entries in .*agents\.yaml\.archived-/);
    assert.deepEqual(Object.keys(registry()), ['supervisor']);
    assert.equal(readdirSync(cmux.home).filter((f) => f.startsWith('agents.yaml.archived-')).length, 1);
  });

  it('comes up from pm2 start ecosystem.config.cjs alone: session, supervisor and team', async () => {
    const spawned = await cmux.cli(['spawn', 'w3', '--command', demo]);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    assert.equal((await cmux.cli(['stop'])).exitCode, 0);
    const pm2 = (...args: string[]) =>
      execa(join(ROOT, 'node_modules', '.bin', 'pm2'), args, { env: cmux.env, extendEnv: false, cwd: ROOT, timeout: 120_000, reject: false });
    const started = await pm2('start', 'ecosystem.config.cjs');
    assert.equal(started.exitCode, 0, String(started.stderr));
    await eventually(() => statusOf('supervisor').catch(() => undefined), (s) => s === 'idle' || s === 'busy', 60_000);
    await eventually(() => statusOf('w3').catch(() => undefined), (s) => s === 'idle', 60_000);
    assert.equal(registry().w3?.state, 'running');

    // As after a reboot: PM2's saved list and cmux's registry are all that is left.
    assert.equal((await pm2('save')).exitCode, 0);
    assert.equal((await pm2('kill')).exitCode, 0);
    await execa('tmux', ['-S', cmux.socket, 'kill-server'], { timeout: 10_000, reject: false });
    const resurrected = await pm2('resurrect');
    assert.equal(resurrected.exitCode, 0, String(resurrected.stderr));
    await eventually(() => statusOf('supervisor').catch(() => undefined), (s) => s === 'idle' || s === 'busy', 60_000);
    await eventually(() => statusOf('w3').catch(() => undefined), (s) => s === 'idle', 60_000);
    assert.equal((await tags())[registry().w3!.windowId], 'w3');
  });
});
