import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, showsInterrupt } from '../../apps/core/src/index.ts';
import { loadKinds } from '../../apps/agents/index.ts';
import { attentionEvent, nextAttention, turnInterrupted } from '../../apps/server/notify/attention.ts';
import { ROOT } from '../helpers/instance.ts';

const kinds = loadKinds(loadConfig({ env: {}, root: ROOT }));
const PANES = join(ROOT, 'test', 'fixtures', 'panes');
const pane = (name: string) => readFileSync(join(PANES, `${name}.txt`), 'utf8');
// The real screens of a turn stopped by Escape once output began (Claude Code before any
// output shows no mark: it puts the prompt back into the input box).
const INTERRUPTED = new Set(['claude-code-2.1.332-interrupt-mid', 'codex-0.171.0-interrupted', 'gemini-0.61.0-interrupted']);
const COMMANDS: Record<string, string> = { 'claude-code': 'claude', codex: 'codex', gemini: 'gemini' };

// Issue 26, finding 7: an interrupted turn was called "done" (busy, then idle, read as finished).
describe('a turn stopped by an interrupt is not a finished one', () => {
  for (const file of readdirSync(PANES)) {
    const cli = /^(claude-code|codex|gemini)-[\d.]+-.*\.txt$/.exec(file)?.[1];
    if (!cli) continue;
    const name = file.slice(0, -'.txt'.length);
    const kind = kinds.forCommand(COMMANDS[cli]!);
    const expected = INTERRUPTED.has(name);
    it(`reads ${name} as ${expected ? '' : 'not '}interrupted`, () => assert.equal(showsInterrupt(kind, pane(name)), expected));
  }

  it('forgets the mark once a later turn stands between it and the input', () => {
    const claude = kinds.forCommand('claude');
    const later = pane('claude-code-2.1.332-interrupt-mid').replace(/(Interrupted · What should Claude do instead\?\n)/, '$1\n❯ go on\n\n● Done.\n');
    assert.equal(showsInterrupt(claude, later), false);
    const codex = kinds.forCommand('codex');
    const next = pane('codex-0.171.0-interrupted').replace(/(■ Conversation interrupted.*\n)/, '$1\n› go on\n\n• Done.\n\n  Worked for 1s • 04:25\n');
    assert.equal(showsInterrupt(codex, next), false);
    const gemini = kinds.forCommand('gemini');
    assert.equal(showsInterrupt(gemini, pane('gemini-0.61.0-interrupted').replace('ℹ Request cancelled.\n', 'ℹ Request cancelled.\n\n > go on\n\n✦ Done.\n')), false);
    const demo = kinds.forCommand('demo-agent');
    assert.equal(showsInterrupt(demo, 'banner\n> sleep 30\n⎿ Interrupted by user\n❯ '), true);
    assert.equal(showsInterrupt(demo, 'banner\n> sleep 30\n⎿ Interrupted by user\n> hi\n⏺ Done: received 2 bytes\n❯ '), false);
    assert.equal(showsInterrupt(kinds.forCommand('cat'), 'Interrupted'), false, 'a kind without the pattern never reads interrupted');
  });

  it('counts an interrupt cmux pressed since the agent was last seen not busy, or the mark on screen', () => {
    assert.equal(turnInterrupted(undefined, undefined), false, 'no window, no signs');
    assert.equal(turnInterrupted({ mark: '', onScreen: false }, undefined), false);
    assert.equal(turnInterrupted({ mark: '17-a', onScreen: false }, ''), true, 'pressed during the turn');
    assert.equal(turnInterrupted({ mark: '17-a', onScreen: false }, '17-a'), false, 'pressed before the turn, spent already');
    assert.equal(turnInterrupted({ mark: '18-b', onScreen: false }, '17-a'), true);
    assert.equal(turnInterrupted({ mark: '', onScreen: true }, ''), true, 'Escape pressed in `cmux attach`');
  });

  it('marks busy, then idle, done only when the turn was not interrupted; the one rule feeds the webhook too', () => {
    assert.equal(attentionEvent('busy', 'idle'), 'done');
    assert.equal(attentionEvent('busy', 'idle', true), null);
    assert.equal(attentionEvent('busy', 'waiting', true), 'waiting', 'a dialog still needs the person');
    assert.equal(attentionEvent('busy', 'exited', true), 'exited');
    const done = nextAttention(null, 'busy', 'idle', 't1');
    assert.deepEqual(done, { event: 'done', since: 't1' });
    assert.equal(nextAttention(null, 'busy', 'idle', 't1', true), null);
  });
});
