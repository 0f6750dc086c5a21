import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createLogger } from '../../apps/core/src/index.ts';
import { scheduleEvery } from '../../apps/core/src/lifecycle/schedule.ts';

// Everything written to the console while `run` runs.
async function consoleDuring(run: () => Promise<void>): Promise<string> {
  let said = '';
  const saved = { warn: console.warn, error: console.error, log: console.log };
  console.warn = console.error = console.log = (...args: unknown[]) => void (said += `${args.map(String).join(' ')}\n`);
  try {
    await run();
  } finally {
    Object.assign(console, saved);
  }
  return said;
}

describe('scheduleEvery', () => {
  it('runs a job longer than its interval again and again, never two at once, and prints nothing about it', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const logged: string[] = [];
    const logger = createLogger('test', { out: { write: (l: string) => logged.push(l) > 0 }, err: { write: (l: string) => logged.push(l) > 0 } } as never);
    const said = await consoleDuring(async () => {
      const schedule = scheduleEvery('slow job', 1, async () => {
        running += 1;
        most = Math.max(most, running);
        runs += 1;
        await sleep(2_500);
        running -= 1;
      }, logger);
      // Runs start on one-second ticks: 8 s holds at least two 2.5 s runs, however slow the machine.
      const until = Date.now() + 8_000;
      while (Date.now() < until && runs < 2) await sleep(100);
      // A busy event loop (a long synchronous scan) misses ticks.
      const busyUntil = Date.now() + 2_500;
      while (Date.now() < busyUntil);
      await sleep(1_500);
      await schedule.stop();
      // A stopped schedule ticks no more.
      const stoppedAt = runs;
      await sleep(1_500);
      assert.equal(runs, stoppedAt, 'a run started after stop');
    });
    assert.ok(runs >= 2, `${runs} runs`);
    assert.equal(most, 1, 'two runs overlapped');
    assert.equal(said, '', 'the schedule printed to the console');
    assert.deepEqual(logged, []);
  });
});
