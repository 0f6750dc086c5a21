import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger, readHolds, setHold } from '../../apps/core/src/index.ts';
import { holdsFileSource } from '../../apps/router/holds/file-source.ts';
import { createHolds, heldDetail, type Hold, type HoldSource } from '../../apps/router/holds/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-holds-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function homeWithState(name: string): string {
  const home = join(dir, name);
  mkdirSync(join(home, 'state'), { recursive: true, mode: 0o700 });
  return home;
}

// A source a test sets by hand, waking the waits as a real source would.
function handSource(name: string): HoldSource & { set(agent: string, hold: Hold | null): void } {
  const holds = new Map<string, Hold>();
  let wake = () => {};
  return {
    name,
    holdOf: (agent) => holds.get(agent) ?? null,
    watch(w) {
      wake = w;
      return () => (wake = () => {});
    },
    set(agent, hold) {
      if (hold) holds.set(agent, hold);
      else holds.delete(agent);
      wake();
    },
  };
}

describe('holds', () => {
  it('asks the sources in order, adds the margin to an end and lifts a hold whose end has passed', () => {
    const first = handSource('limit');
    const second = handSource('budget');
    const holds = createHolds([first, second], 5_000);
    after(() => holds.stop());
    const now = Date.now();
    second.set('w1', { reason: 'over budget', until: null });
    assert.deepEqual(holds.holdOf('w1'), { reason: 'over budget', until: null, source: 'budget' });
    first.set('w1', { reason: 'usage limit', until: now + 1_000 });
    assert.deepEqual(holds.holdOf('w1'), { reason: 'usage limit', until: now + 6_000, source: 'limit' });
    assert.equal(heldDetail(holds.holdOf('w1')!), `held (limit): usage limit; the message follows at ${new Date(now + 6_000).toISOString()}`);
    // Past its end plus the margin, whatever the source still says: the next source speaks.
    first.set('w1', { reason: 'usage limit', until: now - 6_000 });
    assert.equal(holds.holdOf('w1')!.source, 'budget');
    assert.equal(holds.holdOf('w2'), null);
  });

  it('waits while held, is woken by its source, says each reason and ends on withdrawal or stop', async () => {
    const source = handSource('test');
    const holds = createHolds([source], 0);
    source.set('w1', { reason: 'one', until: null });
    const said: string[] = [];
    const waiting = holds.whileHeld('w1', (h) => (said.push(h.reason), true), () => false);
    await new Promise((r) => setTimeout(r, 20));
    source.set('w1', { reason: 'two', until: null });
    await new Promise((r) => setTimeout(r, 20));
    source.set('w1', null);
    assert.equal(await waiting, 'go');
    assert.deepEqual(said, ['one', 'two']);

    source.set('w1', { reason: 'three', until: Date.now() + 60_000 });
    assert.equal(await holds.whileHeld('w1', () => false, () => false), 'withdrawn');
    const stopping = holds.whileHeld('w1', () => true, () => false);
    holds.stop();
    assert.equal(await stopping, 'stopping');
  });

  it('lifts a hold at its end without being woken', async () => {
    const source = handSource('test');
    const holds = createHolds([source], 50);
    after(() => holds.stop());
    const until = Date.now() + 100;
    source.holdOf = () => ({ reason: 'short', until });
    assert.equal(await holds.whileHeld('w1', () => true, () => false), 'go');
    assert.ok(Date.now() >= until + 50);
  });
});

describe('the holds file', () => {
  const logged: string[] = [];
  const logger = createLogger('test', { out: { write: () => true } as never, err: { write: (line: string) => (logged.push(line), true) } as never });

  it('keeps the holds of writers that write at once, and lifts one', async () => {
    const home = homeWithState('together');
    await Promise.all(Array.from({ length: 20 }, (_, i) => setHold(home, i % 2 ? 'limit' : 'budget', `w${i}`, { reason: `r${i}`, until: new Date(Date.now() + 60_000) })));
    const { holds, problem } = readHolds(home);
    assert.equal(problem, null);
    assert.equal(Object.keys(holds.limit!).length + Object.keys(holds.budget!).length, 20);
    await setHold(home, 'limit', 'w1', null);
    assert.equal(readHolds(home).holds.limit!.w1, undefined);
    const source = holdsFileSource(home, logger);
    assert.deepEqual(source.holdOf('w3'), { reason: 'r3', until: Date.parse(holds.limit!.w3!.until!), by: 'limit' });
    assert.equal(source.holdOf('w1'), null);
    await assert.rejects(setHold(home, '../x', 'w1', { reason: 'x' }), /not a lowercase name/);
  });

  it('holds nothing on a file that does not parse, and says why once', () => {
    const home = homeWithState('torn');
    const source = holdsFileSource(home, logger);
    for (const bad of ['{"holds": {"limit": {"w1": {"reason": "x", "since"', '[]', '{"holds": {"limit": {"w1": {"reason": "x", "since": "yesterday"}}}}', '{"holds": {"Bad Name": {}}}', '\u0000\u0001']) {
      writeFileSync(join(home, 'state', 'holds.json'), bad);
      logged.length = 0;
      assert.equal(source.holdOf('w1'), null, bad);
      assert.equal(source.holdOf('w1'), null);
      assert.equal(logged.filter((l) => l.includes('is not a holds file')).length, 1, bad);
    }
  });
});
