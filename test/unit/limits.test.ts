import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readChoices } from '../../apps/agents/dialogs.ts';
import { loadKinds } from '../../apps/agents/kinds/index.ts';
import { accountOf, limitOnScreen, MAX_AHEAD_MS, parseReset } from '../../apps/agents/limits/index.ts';
import { createLogger, loadConfig, readHolds, type AgentKind } from '../../apps/core/src/index.ts';
import { createLimitWatch, type LimitWatch } from '../../apps/server/agents/limit-watch.ts';
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

  it('reads Claude Code 2.1.332\'s limits: a countdown it waits out by itself (with its reset), and the error that ends its turn', () => {
    const claude = kinds.byName('claude-code')!;
    const fixture = (name: string) => readFileSync(join(ROOT, `test/fixtures/panes/claude-code-2.1.332-${name}.txt`), 'utf8');
    const retrying = limitOnScreen(claude, fixture('limit-retrying'), NOW)!;
    assert.equal(retrying.retrying, true);
    assert.match(retrying.said, /^5-hour limit reached · retrying in \d+s \(\d{1,2}:\d\d[ap]m\) · attempt 1\/10$/);
    assert.notEqual(retrying.reset.until, null, 'the reset it names, a time of day');
    const stopped = limitOnScreen(claude, fixture('limit-stopped'), NOW)!;
    assert.equal(stopped.retrying, false);
    assert.match(stopped.said, /^API Error: Request rejected \(429\) · This request would exceed your account's rate limit/);
    assert.deepEqual(stopped.reset, { until: null, note: null });
    // The countdown's other shapes, as 2.1.332 draws them (docs/usage-limits.md): the retry under
    // way, and a limit without the plan's headers from its third attempt.
    const line = (text: string) => fixture('limit-retrying').replace(/^✻ 5-hour limit reached.*$/m, text);
    assert.equal(limitOnScreen(claude, line('✻ 5-hour limit reached · retrying… · attempt 2/10'), NOW)?.retrying, true);
    const apiKey = limitOnScreen(claude, line("✻ 429 This request would exceed your account's rate limit. Please try again later. · retrying in 4s · attempt 3/10"), NOW)!;
    assert.deepEqual([apiKey.retrying, apiKey.reset.until], [true, null]);
    assert.equal(limitOnScreen(claude, line('✻ API error · retrying in 5s · attempt 1/10'), NOW), null, 'an API error that names no limit is none');
    assert.equal(limitOnScreen(claude, fixture('idle'), NOW), null);
    // A retry under way is the state now, whatever an older limit above it says.
    assert.equal(limitOnScreen(claude, `${fixture('limit-stopped')}\n${fixture('limit-retrying')}`, NOW)?.retrying, true);
  });

  it('counts agents with the same account variables as one account', () => {
    assert.equal(accountOf(codex, { OPENAI_API_KEY: 'a', PATH: '/x' }), accountOf(codex, { OPENAI_API_KEY: 'a', PATH: '/y' }));
    assert.notEqual(accountOf(codex, { OPENAI_API_KEY: 'a' }), accountOf(codex, { OPENAI_API_KEY: 'b' }));
    assert.notEqual(accountOf(codex, { CODEX_HOME: '/h1' }), accountOf(codex, { CODEX_HOME: '/h2' }));
    assert.ok(!accountOf(codex, { OPENAI_API_KEY: 'sk-secret' }).includes('sk-secret'));
  });
});

describe('the limit watch', () => {
  // A limit watch on a fresh CMUX_HOME, with no hold margin and `continues` as limits.continue.
  async function withWatch(continues: Record<string, string | null> | null, run: (home: string, codex: AgentKind, watch: LimitWatch) => Promise<void>): Promise<void> {
    const home = mkdtempSync(join(tmpdir(), 'cx-limitwatch-'));
    mkdirSync(join(home, 'state'), { mode: 0o700 });
    const base = loadConfig({ env: { CMUX_HOME: home }, cwd: ROOT });
    const config = { ...base, router: { ...base.router, holdMarginMs: 0 }, ...(continues ? { limits: { continue: continues } } : {}) };
    const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
    const watch = createLimitWatch({ config, tmux: {} } as never, quiet);
    try {
      await run(home, loadKinds(config).byName('codex')!, watch);
    } finally {
      await watch.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }

  it('marks every agent of the account, holds their mail, lifts it at the reset and sends one continue only where the program does not resume', async () => {
    await withWatch(null, async (home, codex, watch) => {
      const test = { ...codex, limits: { ...codex.limits!, screen: [/LIMITED (?<reset>.+)$/mu], after: [] } };
      const resumer = { ...test, name: 'resumer', limits: { ...test.limits, resumes: true } };
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
    });
  });

  it('keeps a limit the program waits out while its screen shows it (one notice, whatever the countdown says), ends it for the account as soon as the screen stops showing it, with no continue', async () => {
    await withWatch({ retrier: 'continue' }, async (home, codex, watch) => {
      const retrier = { ...codex, name: 'retrier', limits: { ...codex.limits!, screen: [/STOPPED$/mu], retrying: [/RETRYING(?: \((?<reset>[^)]+)\))? in \d+s attempt \d+/mu], resumes: false, account: ['ANTHROPIC_API_KEY'], after: [] } };
      const agent = (id: string, env: Record<string, string>, pane: string) => ({ id, kind: retrier, env, windowId: '@1', pane });
      const holds = () => readHolds(home).holds.limit ?? {};
      const mailbox = () => {
        try {
          return readFileSync(join(home, 'mailbox.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { from: string; to: string; subject: string; body?: string });
        } catch {
          return [];
        }
      };
      const notices = () => mailbox().filter((m) => m.to === 'supervisor' && m.subject.startsWith('[LIMIT]'));
      const continues = () => mailbox().filter((m) => m.subject === 'continue');
      const reset = new Date(Date.now() + 600_000).toISOString();

      // The program names its reset: that is `until`, said so; the account-mate reads limited too.
      const team = (w1: string, w2 = 'idle') => [agent('w1', { ANTHROPIC_API_KEY: 'a' }, w1), agent('w2', { ANTHROPIC_API_KEY: 'a' }, w2), agent('w3', { ANTHROPIC_API_KEY: 'b' }, 'idle')];
      for (const [s, n] of [[22, 1], [21, 1], [20, 2]] as const) watch.look(team(`RETRYING (${reset}) in ${s}s attempt ${n}`));
      assert.deepEqual(['w1', 'w2', 'w3'].map((id) => watch.of(id)?.until ?? null), [reset, reset, null]);
      const held = await eventually(async () => holds(), (h) => Object.keys(h).sort().join() === 'w1,w2', 5_000);
      assert.match(held.w1!.reason, /^usage limit of its retrier account, seen on w1's screen; its program retries by itself; resets at .*, as it says$/);
      assert.equal((await eventually(async () => notices(), (n) => n.length >= 1, 5_000)).length, 1, 'one notice, though the countdown and the attempt changed');
      // Gone from its screen: over at once for the account, with no continue.
      watch.look(team('the answer goes on'));
      assert.equal(watch.of('w1'), null);
      assert.equal(watch.of('w2'), null);
      await eventually(async () => holds(), (h) => Object.keys(h).length === 0, 5_000);

      // No reset said: cmux's estimate, said so. Two agents of the account wait it out: it ends
      // when the last one gets through.
      watch.look(team('RETRYING in 5s attempt 1', 'RETRYING in 9s attempt 1'));
      assert.match((await eventually(async () => holds(), (h) => Boolean(h.w1), 5_000)).w1!.reason, /says no reset time; cmux's estimate .*, moved on while its screen shows the limit$/);
      const estimate = Date.parse(watch.of('w1')!.until);
      assert.ok(estimate > Date.now() + 30_000 && estimate <= Date.now() + 60_000, 'a minute ahead');
      watch.look(team('the answer goes on', 'RETRYING in 8s attempt 1'));
      assert.ok(watch.of('w1') && watch.of('w2'), 'w2 still waits it out');
      watch.look(team('the answer goes on', 'the answer goes on'));
      assert.deepEqual([watch.of('w1'), watch.of('w2')], [null, null]);
      await eventually(async () => holds(), (h) => Object.keys(h).length === 0, 5_000);
      assert.equal(notices().length, 2, 'one notice per limit');

      // Not read again before its reset (the window went): over at the reset, still no continue.
      watch.look(team(`RETRYING (${new Date(Date.now() + 1_500).toISOString()}) in 1s attempt 1`));
      assert.ok(watch.of('w1'));
      watch.look([]);
      await eventually(async () => watch.of('w1'), (l) => l === null, 10_000);
      await eventually(async () => holds(), (h) => Object.keys(h).length === 0, 5_000);

      // The turn it ended is another matter: that one gets the kind's continue after its reset.
      watch.look(team('STOPPED'));
      assert.ok(watch.of('w1'));
      assert.equal(continues().length, 0, 'no continue for a limit the program waited out');
    });
  });
  it('finishes writing the holds and the notice of a limit it just saw before its stop returns', async () => {
    await withWatch(null, async (home, codex, watch) => {
      const test = { ...codex, limits: { ...codex.limits!, screen: [/LIMITED (?<reset>.+)$/mu], after: [] } };
      watch.look([{ id: 'w1', kind: test, env: { OPENAI_API_KEY: 'a' }, windowId: '@1', pane: `LIMITED ${new Date(Date.now() + 600_000).toISOString()}` }]);
      await watch.stop();
      assert.deepEqual(Object.keys(readHolds(home).holds.limit ?? {}), ['w1']);
      assert.match(readFileSync(join(home, 'mailbox.jsonl'), 'utf8'), /\[LIMIT\] w1: codex usage limit until/);
    });
  });
  it('reads a limit said again in other words (a dialog, then the error line once it is answered) as the same limit: one notice, the later reset, one continue', async () => {
    await withWatch({ stopper: 'continue' }, async (home, codex, watch) => {
      const stopper = { ...codex, name: 'stopper', limits: { ...codex.limits!, screen: [/^(?:DIALOG|ERROR) resets (?<reset>.+)$/mu], retrying: [], resumes: false, after: [] } };
      const agent = (id: string, pane: string) => ({ id, kind: stopper, env: { OPENAI_API_KEY: 'a' }, windowId: '@1', pane });
      const mailbox = () => readFileSync(join(home, 'mailbox.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { to: string; subject: string });
      const first = new Date(Date.now() + 1_000).toISOString();
      const later = new Date(Date.now() + 2_500).toISOString();
      watch.look([agent('w1', `DIALOG resets ${first}`), agent('w2', 'idle')]);
      watch.look([agent('w1', `ERROR resets ${later}`), agent('w2', 'idle')]);
      assert.deepEqual([watch.of('w1')?.until, watch.of('w2')?.until], [later, later], 'the later reset, for the account');
      await eventually(async () => watch.of('w1'), (l) => l === null, 10_000);
      const continues = await eventually(async () => mailbox().filter((m) => m.subject === 'continue'), (c) => c.length >= 1, 5_000);
      assert.deepEqual(continues.map((m) => m.to), ['w1']);
      assert.equal(mailbox().filter((m) => m.subject.startsWith('[LIMIT]')).length, 1, 'one notice');
    });
  });
});
