import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger, loadConfig } from '../../apps/core/src/index.ts';
import { emptyLedger, writeLedger } from '../../apps/usage/ledger-file.ts';
import type { Price } from '../../apps/core/src/config/index.ts';
import { budgetHold, budgetsInForce, createBudgetHolds, budgetState, dueBudgetAlerts, readBudgetFile, setBudget } from '../../apps/usage/index.ts';
import type { UsageRow } from '../../apps/usage/index.ts';
import { fakeUsage } from '../fakes/anthropic-api.ts';
import { configError } from '../helpers/config-error.ts';
import { ROOT } from '../helpers/instance.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-budgets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// $1 per million tokens of each sort: a row's cost is its tokens / 1e6.
const PRICES: Price[] = [{ model: 'claude-fake', input: 1, output: 1, cacheRead: 1, cacheWrite: 1, asOf: '2026-12-01' }];
// The Anthropic fake's n-th answer, scaled: 1000 answers of its size at that hour.
function row(project: string | null, hour: string, n: number, over: Partial<UsageRow> = {}): UsageRow {
  const u = fakeUsage(n);
  return { agent: 'w1', project, kind: 'claude-code', model: 'claude-fake', hour, calls: 1000, input: u.input * 1000, output: u.output * 1000, cacheRead: u.cacheRead * 1000, cacheWrite: u.cacheWrite * 1000, ...over };
}
const costOfAnswer = (n: number) => { const u = fakeUsage(n); return ((u.input + u.output + u.cacheRead + u.cacheWrite) * 1000) / 1e6; };

const NOW = new Date('2026-12-07T15:00:00.000Z');

describe('daily budgets against the estimated spend', () => {
  const rows = [
    row('alpha', '2026-12-07T09:00:00.000Z', 2),
    row('alpha', '2026-12-07T14:00:00.000Z', 3),
    row(null, '2026-12-07T10:00:00.000Z', 4),
    row('alpha', '2026-12-06T23:00:00.000Z', 5),
    row('beta', '2026-12-07T11:00:00.000Z', 1, { model: 'mystery' }),
  ];
  const alphaToday = costOfAnswer(2) + costOfAnswer(3);

  it("counts the UTC day of now only, per project (`default` for none) and for all; an unpriced model is named, not counted", () => {
    const state = budgetState(rows, PRICES, { alpha: 10, default: 1, all: 100 }, NOW);
    assert.equal(state.day, '2026-12-07');
    assert.equal(state.resetsAt, '2026-12-08T00:00:00.000Z', 'a day ends at UTC midnight');
    assert.deepEqual(state.lines.map((l) => l.name), ['all', 'alpha', 'default'], 'all first');
    const alpha = state.lines.find((l) => l.name === 'alpha')!;
    assert.ok(Math.abs(alpha.spentUsd - alphaToday) < 1e-9, `${alpha.spentUsd} vs ${alphaToday}`);
    assert.equal(alpha.percent, Math.floor((alphaToday / 10) * 100));
    assert.ok(Math.abs(state.lines[0]!.spentUsd - (alphaToday + costOfAnswer(4))) < 1e-9, 'all is every project');
    assert.deepEqual(state.unpriced, ['mystery']);
    assert.equal(state.lines.find((l) => l.name === 'default')!.reached, costOfAnswer(4) >= 1);
  });

  it("holds a project's messages at 100 % of its budget or of all's, with a reason naming it; not under it", () => {
    const under = budgetState(rows, PRICES, { alpha: alphaToday + 0.01 }, NOW);
    assert.equal(budgetHold(under, 'alpha'), null);
    const at = budgetState(rows, PRICES, { alpha: alphaToday }, NOW);
    const reason = budgetHold(at, 'alpha');
    assert.match(reason ?? '', /^budget alpha reached: \$\d+\.\d\d of \$\d+\.\d\d spent today \(UTC, estimated\); held until 2026-12-08T00:00:00.000Z or until it is raised \(cmux budget set alpha <amount>\)$/);
    assert.equal(budgetHold(at, 'beta'), null, "another project's agents go on");
    assert.equal(budgetHold(at, null), null);
    const all = budgetState(rows, PRICES, { all: 1 }, NOW);
    assert.match(budgetHold(all, 'beta') ?? '', /^budget all reached/);
    assert.match(budgetHold(all, null) ?? '', /^budget all reached/, 'the default project falls under all too');
  });

  it('a new UTC day lifts the hold: 23:59:59 holds, 00:00 the next day does not', () => {
    const late = [row('alpha', '2026-12-07T23:00:00.000Z', 2)];
    const budgets = { alpha: costOfAnswer(2) };
    assert.notEqual(budgetHold(budgetState(late, PRICES, budgets, new Date('2026-12-07T23:59:59.999Z')), 'alpha'), null);
    assert.equal(budgetHold(budgetState(late, PRICES, budgets, new Date('2026-12-08T00:00:00.000Z')), 'alpha'), null);
  });

  it('alerts at 80 % and at 100 %, each once per budget per day and amount, naming the budget', () => {
    const sent = new Set<string>();
    const at = (budget: number, now = NOW) => {
      const due = dueBudgetAlerts(budgetState(rows, PRICES, { alpha: budget }, now), sent);
      for (const key of due.keys) sent.add(key);
      return due.alerts.map((a) => `${a.level} ${a.title}`);
    };
    assert.deepEqual(at(alphaToday * 2), [], 'at 50 %: none');
    const warn = at(alphaToday / 0.85);
    assert.equal(warn.length, 1);
    assert.match(warn[0]!, /^80 budget alpha at 8[45] %/);
    assert.deepEqual(at(alphaToday / 0.85), [], 'not twice');
    const reached = at(alphaToday);
    assert.match(reached[0]!, /^100 budget alpha reached: .* messages to its agents are held$/);
    assert.deepEqual(at(alphaToday), []);
    assert.deepEqual(at(alphaToday / 2).map((t) => t.slice(0, 3)), ['100'], 'a budget lowered past 100 % at once: the 100 % alert alone');
    assert.deepEqual(at(alphaToday / 2), []);
    assert.deepEqual(at(alphaToday / 2, new Date('2026-12-08T15:00:00.000Z')), [], 'the next day: nothing spent yet');
  });
});

describe('the budgets file and config key', () => {
  const home = mkdtempSync(join(dir, 'home-'));
  const base = loadConfig({ env: {}, root: ROOT });
  const config = { ...base, home, budgets: { daily: { alpha: 5, all: 50 } } };

  it('what `cmux budget set` writes overrides config per name, null takes a configured one away', async () => {
    assert.deepEqual(budgetsInForce(config, () => assert.fail('no problem')), { alpha: 5, all: 50 });
    await setBudget(home, 'alpha', 7.5);
    await setBudget(home, 'all', null);
    await setBudget(home, 'beta', 3);
    assert.deepEqual(budgetsInForce(config, () => assert.fail('no problem')), { alpha: 7.5, beta: 3 });
    assert.deepEqual(readBudgetFile(home), { version: 1, daily: { alpha: 7.5, all: null, beta: 3 } });
  });

  it('a broken file is said and config alone used; it is never written over', async () => {
    const broken = mkdtempSync(join(dir, 'broken-'));
    const file = join(broken, 'budgets.json');
    for (const text of ['{not json', '{"version":1,"daily":{"alpha":-1}}', '{"version":1,"daily":{"../x":1}}', '{"version":2,"daily":{}}', '[]']) {
      writeFileSync(file, text);
      const problems: string[] = [];
      assert.deepEqual(budgetsInForce({ ...config, home: broken }, (e) => problems.push(e.message)), { alpha: 5, all: 50 }, text);
      assert.match(problems[0] ?? '', /budgets file .* is not valid: .*fix or remove it/, text);
      await assert.rejects(setBudget(broken, 'alpha', 1), { code: 'CMUX_ERR_BUDGETS_CORRUPT' });
      assert.equal(readFileSync(file, 'utf8'), text, 'left as it was');
    }
  });

  it('budgets.daily refuses what is not a budget', () => {
    for (const [daily, reason] of [
      [{ alpha: -1 }, /more than 0/],
      [{ alpha: 0 }, /more than 0/],
      [{ alpha: 2_000_000 }, /at most 1000000/],
      [{ alpha: 'ten' }, /expected number/],
      [{ '../etc': 1 }, /a project name/],
      [{ 'a b': 1 }, /a project name/],
    ] as const) {
      const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, `budgets:\n  daily: ${JSON.stringify(daily)}\n`);
      const message = configError({ CMUX_CONFIG: file }, ROOT);
      assert.match(message, /budgets\.daily/);
      assert.match(message, reason);
    }
    const file = join(dir, 'config-nan.yaml');
    writeFileSync(file, 'budgets:\n  daily: { alpha: .nan }\n');
    assert.match(configError({ CMUX_CONFIG: file }, ROOT), /budgets\.daily\.alpha/);
  });
});

describe('budget holds as the router reads them', () => {
  it("holds a registered agent of a spent project until the next UTC day, from the ledger, budgets.json and the registry; raising the budget lifts it", async () => {
    const home = mkdtempSync(join(dir, 'holds-'));
    const base = loadConfig({ env: {}, root: ROOT });
    const config = { ...base, home, usage: { ...base.usage, prices: PRICES } };
    const entry = (name: string, project?: string) => ({ name, role: 'worker', session: 'cmux', window: name, windowId: '@1', command: 'x', cwd: '/tmp', createdAt: NOW.toISOString(), createdBy: 'test', ...(project ? { project } : {}) });
    writeFileSync(join(home, 'agents.yaml'), JSON.stringify({ agents: { w1: entry('w1', 'alpha'), w2: entry('w2') } }));
    const ledger = emptyLedger();
    const hour = new Date();
    hour.setUTCMinutes(0, 0, 0);
    ledger.rows.push(row('alpha', hour.toISOString(), 2));
    writeLedger(home, ledger);
    const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
    const holds = createBudgetHolds(config, createLogger('test', { out: quiet, err: quiet }));
    assert.equal(holds.holdOf('w1'), null, 'no budget');
    await setBudget(home, 'alpha', costOfAnswer(2));
    const hold = holds.holdOf('w1');
    assert.match(hold?.reason ?? '', /^budget alpha reached/);
    const midnight = new Date(hour);
    midnight.setUTCHours(24, 0, 0, 0);
    assert.equal(hold?.until, midnight.getTime(), 'until the next UTC midnight');
    assert.equal(holds.holdOf('w2'), null, 'the default project is not alpha');
    assert.equal(holds.holdOf('nobody'), null, 'an agent not registered is not held by a budget');
    assert.equal(holds.refresh(), false, 'nothing changed: nothing read');
    await setBudget(home, 'alpha', costOfAnswer(2) * 2);
    assert.equal(holds.refresh(), true);
    assert.equal(holds.holdOf('w1'), null, 'raised: lifted');
  });
});
