import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createCluster, type TestCluster } from '../helpers/cluster.ts';
import { eventually } from '../helpers/tmux.ts';

describe('smoke', { timeout: 400_000 }, () => {
  let c: TestCluster;
  before(async () => { c = await createCluster(['a', 'b']); });
  after(async () => { await c?.cleanup(); });
  it('a to b', async () => {
    const { a, b } = c.hosts;
    const dump = () => { for (const h of [a!, b!]) for (const app of ['cmux-router', 'cmux-server']) for (const k of ['out', 'err']) console.log(`---- ${h.host} ${app} ${k}\n`, readFileSync(`${h.home}/logs/${app}.${k}.log`, 'utf8').slice(-2500)); };
    try {
      const s = await a!.cli(['spawn', 'w1', '--host', 'b', '--command', b!.demo('w1'), '--task', 'first task']);
      console.log(String(s.stdout), String(s.stderr));
      assert.equal(s.exitCode, 0, String(s.stderr));
      const list = await a!.cli(['agents']);
      console.log(String(list.stdout));
      const sent = await a!.cli(['send', 'w1@b', 'hello from a']);
      console.log(String(sent.stdout), String(sent.stderr));
      assert.equal(sent.exitCode, 0, String(sent.stderr));
      const got = await eventually(async () => b!.received('w1'), (r) => r.length >= 2, 30_000);
      console.log(got);
      const t = await a!.cli(['terminal', 'w1@b', '-n', '5']);
      console.log(String(t.stdout), String(t.stderr));
      const k = await a!.cli(['kill', 'w1@b']);
      console.log(String(k.stdout), String(k.stderr));
      assert.equal(k.exitCode, 0);
    } catch (e) { dump(); throw e; }
  });
});
