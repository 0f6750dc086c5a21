import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readChoices } from '../../apps/agents/dialogs.ts';
import { loadKinds } from '../../apps/agents/kinds/index.ts';
import { accountOf, limitOnScreen, MAX_AHEAD_MS, parseReset } from '../../apps/agents/limits/index.ts';
import { loadConfig } from '../../apps/core/src/index.ts';
import { ROOT } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

// 02:36:47 local time on a fixed day.
const NOW = new Date(2026, 11, 7, 2, 36, 47).getTime();
const at = (h: number, m: number, dayOffset = 0) => new Date(2026, 11, 7 + dayOffset, h, m).getTime() + 60_000;

describe('usage limit resets', () => {
  it('reads a time of day as its next occurrence, to the end of its minute', () => {
    assert.deepEqual(parseReset('2:37 AM', NOW), { until: at(2, 37), note: null });
    assert.deepEqual(parseReset('3pm', NOW), { until: at(15, 0), note: null });
    assert.deepEqual(parseReset('14:05', NOW), { until: at(14, 5), note: null });
    // The minute just gone (the program rounded down, the screen was read late), not tomorrow.
    assert.deepEqual(parseReset('2:36 AM', NOW), { until: at(2, 36), note: null });
    assert.deepEqual(parseReset('2:33 AM', NOW), { until: Math.max(at(2, 33), NOW), note: null });
    assert.deepEqual(parseReset('1:00 AM', NOW), { until: at(1, 0, 1), note: null });
    assert.deepEqual(parseReset('Dec 8th, 2026 2:37 AM', NOW), { until: at(2, 37, 1), note: null });
  });

  it('reads an epoch, an ISO time and a relative time', () => {
    assert.equal(parseReset(String(Math.floor(NOW / 1000) + 20), NOW).until, Math.floor(NOW / 1000) * 1000 + 20_000);
    assert.equal(parseReset(new Date(NOW + 90_000).toISOString(), NOW).until, NOW + 90_000);
    assert.equal(parseReset('in 20s', NOW).until, NOW + 20_000);
    assert.equal(parseReset('5 minutes', NOW).until, NOW + 300_000);
  });

  it('reads a time of day in the zone it names (Gemini CLI: "5:42 AM UTC"), and seconds with a fraction', () => {
    const utcNow = Date.UTC(2026, 11, 7, 2, 36, 47);
    assert.deepEqual(parseReset('2:37 AM UTC', utcNow), { until: Date.UTC(2026, 11, 7, 2, 38), note: null });
    assert.deepEqual(parseReset('8:07 AM GMT+5:30', utcNow), { until: Date.UTC(2026, 11, 7, 2, 38), note: null });
    assert.deepEqual(parseReset('9:37 PM GMT-5', utcNow), { until: Date.UTC(2026, 11, 7, 2, 38), note: null });
    // Already gone in that zone: the next day's, there.
    assert.deepEqual(parseReset('1:00 AM UTC', utcNow), { until: Date.UTC(2026, 11, 8, 1, 1), note: null });
    assert.deepEqual(parseReset('Dec 8, 2:37 AM UTC', utcNow), { until: Date.UTC(2026, 11, 8, 2, 38), note: null });
    // Another zone's short name is the program's local zone, cmux's own.
    assert.deepEqual(parseReset('2:37 AM PST', NOW), parseReset('2:37 AM', NOW));
    assert.equal(parseReset('20.5s', NOW).until, NOW + 20_500);
    for (const bad of ['2:37 AM GMT+15', '2:37 AM GMT+5:75', '2:37 AM later', '2:37 AM U', '20.12345s']) {
      assert.equal(parseReset(bad, NOW).until, null, bad);
    }
  });

  it('caps a reset years ahead at 7 days, refuses one long past and anything malformed, and says why', () => {
    assert.deepEqual(parseReset('2099-01-01T00:00:00Z', NOW), { until: NOW + MAX_AHEAD_MS, note: 'the reset 2099-01-01T00:00:00.000Z is more than 7 days ahead; taken as 7 days' });
    assert.equal(parseReset('9999999999', NOW).until, NOW + MAX_AHEAD_MS);
    assert.match(parseReset('2020-01-01T00:00:00Z', NOW).note!, /is in the past/);
    assert.equal(parseReset('2020-01-01T00:00:00Z', NOW).until, Date.parse('2020-01-01T00:00:00Z'), 'over already');
    for (const bad of ['25:00', '13 PM', '0 AM', '2:99 AM', 'soon', 'Foo 8, 2:37 AM', 'Dec 45, 2:37 AM', '2026-13-45T99:00:00Z', '', 'x'.repeat(10_000), '\u0000\u0007 2:37']) {
      assert.equal(parseReset(bad, NOW).until, null, JSON.stringify(bad.slice(0, 30)));
    }
    assert.deepEqual(parseReset(undefined, NOW), { until: null, note: null });
  });
});

describe('usage limits on screen', () => {
  const kinds = loadKinds(loadConfig({ env: {}, cwd: ROOT }));
  const codex = kinds.byName('codex')!;
  const pane = readFileSync(join(ROOT, 'test/fixtures/panes/codex-0.171.0-limit.txt'), 'utf8');

  it('reads Codex 0.171.0\'s usage limit and its reset, across the wrapped line, under its menu', () => {
    const seen = limitOnScreen(codex, pane, NOW)!;
    assert.match(seen.said, /^You’ve hit your usage limit\. .* try again at 2:37 AM\.$/);
    assert.deepEqual(seen.reset, { until: at(2, 37), note: null });
    assert.ok(codex.limits!.after[0]!.when.test(pane), 'the menu after it is recognised');
    assert.ok(readChoices(pane, codex.choiceCursor)!.choices.includes(codex.limits!.after[0]!.choose), 'and offers the choice cmux makes');
    assert.equal(limitOnScreen(codex, pane.replace('You’ve hit your usage limit', 'You have plenty left'), NOW), null);
    assert.equal(limitOnScreen(kinds.byName('demo')!, pane, NOW), null, 'a kind without limits sees none');
  });

  it('counts agents with the same account variables as one account', () => {
    assert.equal(accountOf(codex, { OPENAI_API_KEY: 'a', PATH: '/x' }), accountOf(codex, { OPENAI_API_KEY: 'a', PATH: '/y' }));
    assert.notEqual(accountOf(codex, { OPENAI_API_KEY: 'a' }), accountOf(codex, { OPENAI_API_KEY: 'b' }));
    assert.notEqual(accountOf(codex, { CODEX_HOME: '/h1' }), accountOf(codex, { CODEX_HOME: '/h2' }));
    assert.ok(!accountOf(codex, { OPENAI_API_KEY: 'sk-secret' }).includes('sk-secret'));
  });
});

describe('the limit watch', () => {
  it('marks every agent of the account, holds their mail, lifts it at the reset and sends one continue only where the program does not resume', async () => {
    const { mkdtempSync, mkdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { createLogger, readHolds } = await import('../../apps/core/src/index.ts');
    const { createLimitWatch } = await import('../../apps/server/agents/limit-watch.ts');
    const home = mkdtempSync(join(tmpdir(), 'cx-limitwatch-'));
    mkdirSync(join(home, 'state'), { mode: 0o700 });
    try {
      const base = loadConfig({ env: { CMUX_HOME: home }, cwd: ROOT });
      const config = { ...base, router: { ...base.router, holdMarginMs: 0 } };
      const kinds = loadKinds(config);
      const codex = kinds.byName('codex')!;
      const test = { ...codex, limits: { ...codex.limits!, screen: [/LIMITED (?<reset>.+)$/mu], after: [] } };
      const resumer = { ...test, name: 'resumer', limits: { ...test.limits, resumes: true } };
      const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
      const watch = createLimitWatch({ config, tmux: {} } as never, quiet);
      const agent = (id: string, kind: typeof test, env: Record<string, string>, pane: string | null) => ({ id, kind, env, windowId: '@1', pane });
      const limitedNow = `LIMITED ${new Date(Date.now() + 1_500).toISOString()}`;
      const team = [
        agent('w1', test, { OPENAI_API_KEY: 'a' }, limitedNow),
        agent('w2', test, { OPENAI_API_KEY: 'a' }, 'idle'),
        agent('w3', test, { OPENAI_API_KEY: 'b' }, 'idle'),
        agent('r1', resumer, {}, limitedNow),
        agent('old', test, { OPENAI_API_KEY: 'c' }, 'LIMITED 2020-01-01T00:00:00Z'),
      ];
      watch.look(team);
      watch.look(team);
      assert.deepEqual(['w1', 'w2', 'w3', 'r1', 'old'].map((id) => Boolean(watch.of(id))), [true, true, false, true, false]);
      await eventually(async () => readHolds(home).holds.limit ?? {}, (h) => Object.keys(h).sort().join() === 'r1,w1,w2', 5_000);
      await eventually(async () => readHolds(home).holds.limit ?? {}, (h) => Object.keys(h).length === 0, 10_000);
      assert.equal(watch.of('w1'), null);
      const mailbox = () => readFileSync(join(home, 'mailbox.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { from: string; to: string; subject: string });
      const continues = await eventually(async () => mailbox().filter((m) => m.subject === 'continue'), (c) => c.length >= 1, 5_000);
      assert.deepEqual(continues.map((m) => [m.from, m.to]), [['system:limits', 'w1']], 'only the agent whose turn the limit stopped, and not the one that resumes');
      assert.equal(mailbox().filter((m) => m.to === 'supervisor' && m.subject.startsWith('[LIMIT]')).length, 2, 'the supervisor hears of each limit once');
      watch.look(team);
      assert.equal(watch.of('w1'), null, 'the same words still on screen after the reset are the old limit');
      watch.stop();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
