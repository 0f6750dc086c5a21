import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAppSamples } from '../../apps/server/agents/app-samples.ts';

const app = (name: string, memory: number | null, restarts: number) => ({ name, status: memory === null ? 'stopped' : 'online', pid: null, restarts, uptimeMs: null, memory, cpu: null });

describe('the apps\' memory and restarts over the last hour', () => {
  it('keeps one reading per interval, and only the last hour of them', () => {
    const samples = createAppSamples(60 * 60_000, 30_000);
    const start = Date.parse('2026-01-01T00:00:00Z');
    // A poll every 5 s for two hours: one reading in six is kept, and none older than an hour.
    for (let t = 0; t <= 2 * 60 * 60_000; t += 5_000) samples.offer([app('cmux-router', 1_000 + t, Math.floor(t / 600_000))], start + t);
    const kept = samples.read().apps['cmux-router']!;
    assert.equal(kept.length, 120);
    assert.equal(kept.at(-1)!.at, '2026-01-01T02:00:00.000Z');
    assert.equal(kept[0]!.at, '2026-01-01T01:00:30.000Z');
    assert.equal(kept.at(-1)!.restarts - kept[0]!.restarts, 6, 'one restart every ten minutes');
  });

  it('reads a stopped app as no memory, and an app first seen later from then on', () => {
    const samples = createAppSamples(60_000, 10_000);
    samples.offer([app('a', 5, 0)], 0);
    samples.offer([app('a', null, 1), app('b', 7, 0)], 10_000);
    assert.deepEqual(samples.read().apps.a!.map((s) => s.memory), [5, null]);
    assert.deepEqual(samples.read().apps.b!.map((s) => s.memory), [7]);
    assert.deepEqual({ interval: samples.read().intervalMs, window: samples.read().windowMs }, { interval: 10_000, window: 60_000 });
  });
});
