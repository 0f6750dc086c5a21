import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { meetsBudget, missedBudgets, type BenchRow } from '../../bench/report.ts';
import { runBenches, type BenchArea } from '../../bench/run.ts';

const row = (over: Partial<BenchRow>): BenchRow => ({ area: 'demo', name: 'a figure', length: 'median of 3', unit: 'ms', value: 10, baseline: 10, baselineName: 'the same thing by hand', ...over });

describe('bench budgets are enforced, not notes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cx-bench-budget-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('checks a budget on the figure, on its ratio to the baseline and on how far it exceeds the baseline', () => {
    assert.ok(meetsBudget(row({ value: 3_000, budget: { on: 'value', max: 3_000 } })));
    assert.ok(!meetsBudget(row({ value: 3_001, budget: { on: 'value', max: 3_000 } })));
    assert.ok(meetsBudget(row({ value: 105, baseline: 100, budget: { on: 'ratio', max: 1.05 } })));
    assert.ok(!meetsBudget(row({ value: 106, baseline: 100, budget: { on: 'ratio', max: 1.05 } })));
    assert.ok(!meetsBudget(row({ value: 89, baseline: 100, budget: { on: 'ratio', min: 0.9 } })));
    assert.ok(meetsBudget(row({ value: 1_900, baseline: 900, budget: { on: 'excess', max: 1_000 } })));
    assert.ok(!meetsBudget(row({ value: 1_901, baseline: 900, budget: { on: 'excess', max: 1_000 } })));
    assert.ok(!meetsBudget(row({ value: 1, baseline: null, budget: { on: 'ratio', max: 2 } })), 'a ratio without a baseline cannot be met');
    assert.ok(!meetsBudget(row({ value: Number.NaN, budget: { on: 'value', max: 2 } })));
    assert.ok(meetsBudget(row({ value: 1e9 })), 'a row without a budget');
  });

  it('a run with a row that misses its budget exits 1 and names that row, and only that one; the table says it', async () => {
    const file = join(dir, 'PERFORMANCE.md');
    const logged: string[] = [];
    const areas: BenchArea[] = [
      {
        name: 'demo',
        run: async () => [
          row({ name: 'stop is fast', value: 795, baseline: 663, budget: { on: 'ratio', max: 1.05 } }),
          row({ name: 'stop is bounded', value: 800, budget: { on: 'value', max: 3_000 } }),
          row({ name: 'memory stays put', unit: 'MB', value: 251, baseline: null, budget: { on: 'value', max: 250 } }),
        ],
      },
    ];
    const code = await runBenches(areas, [], file, (line) => logged.push(line));
    assert.equal(code, 1);
    const missed = logged.filter((l) => l.startsWith('budget missed: '));
    assert.deepEqual(missed, [
      'budget missed: demo: stop is fast: ratio 1.20 misses its budget (ratio ≤ 1.05)',
      'budget missed: demo: memory stays put: 251 MB misses its budget (≤ 250 MB)',
    ]);
    const table = readFileSync(file, 'utf8');
    assert.match(table, /\| demo \| stop is fast \| median of 3 \| 795 ms \| 663 ms \(the same thing by hand\) \| 1\.20 \| ratio ≤ 1\.05: \*\*missed\*\* \|/);
    assert.match(table, /\| demo \| stop is bounded \| median of 3 \| 800 ms \| .* \| ≤ 3000 ms: met \|/);
  });

  it('a run whose rows all meet their budgets exits 0; an area that only runs when named stays out of the default run', async () => {
    const file = join(dir, 'ok.md');
    const ran: string[] = [];
    const areas: BenchArea[] = [
      { name: 'quick', run: async () => (ran.push('quick'), [row({ area: 'quick', budget: { on: 'value', max: 10 } })]) },
      { name: 'long', onlyWhenNamed: true, run: async () => (ran.push('long'), [row({ area: 'long', value: 1e6, budget: { on: 'value', max: 10 } })]) },
    ];
    assert.equal(await runBenches(areas, [], file, () => undefined), 0);
    assert.deepEqual(ran, ['quick']);
    assert.equal(await runBenches(areas, ['long'], file, () => undefined), 1);
    assert.deepEqual(ran, ['quick', 'long']);
    const table = readFileSync(file, 'utf8');
    assert.match(table, /\| quick \| .* \| ≤ 10\.0 ms: met \|/, 'the earlier area keeps its row');
    assert.match(table, /\| long \| .* \| ≤ 10\.0 ms: \*\*missed\*\* \|/);
    assert.equal(await runBenches(areas, ['nosuch'], file, () => undefined), 2);
  });

  it('missedBudgets says nothing for rows without budgets', () => {
    assert.deepEqual(missedBudgets([row({}), row({ value: 1e9 })]), []);
  });
});
