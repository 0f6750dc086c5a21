import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { composerText, deriveStatus, detectPaneStatus, loadConfig, stillInComposer } from '../../apps/core/src/index.ts';
import { loadKinds } from '../../apps/agents/index.ts';
import { ROOT } from '../helpers/instance.ts';

const kinds = loadKinds(loadConfig({ env: {}, root: ROOT }));
const pane = (name: string) => readFileSync(join(ROOT, 'test', 'fixtures', 'panes', `${name}.txt`), 'utf8');

describe('agent kinds and status rules', () => {
  it('picks the kind from the command', () => {
    assert.equal(kinds.forCommand('claude --dangerously-skip-permissions').name, 'claude-code');
    assert.equal(kinds.forCommand('/usr/local/bin/claude').name, 'claude-code');
    assert.equal(kinds.forCommand('/usr/bin/node /x/dist/apps/demo-agent/index.js').name, 'demo');
    assert.equal(kinds.forCommand('cat').name, 'generic');
    assert.equal(kinds.forCommand('claudette').name, 'generic');
  });

  it('reads what is in the Claude Code input box', () => {
    const box = kinds.forCommand('claude');
    assert.equal(composerText(box, pane('claude-code-2.1.332-idle')), '');
    assert.equal(composerText(box, pane('claude-code-2.1.332-interrupt-early')), 'wait for it DELAY 6000');
    assert.equal(composerText(box, pane('claude-code-2.1.332-interrupt-mid')), '');
    assert.equal(composerText(box, pane('claude-code-2.1.332-permission')), null);
    assert.equal(composerText(kinds.forCommand('cat'), pane('claude-code-2.1.332-idle')), null, 'a kind without an input box reads none');
  });

  it('reads the demo agent', () => {
    const demo = kinds.forCommand('demo-agent');
    assert.equal(detectPaneStatus(demo, 'banner\n> hi\n✻ Working… (esc to interrupt)\n❯ '), 'busy');
    assert.equal(detectPaneStatus(demo, 'banner\n> hi\n⏺ Done\n❯ '), 'idle');
    assert.equal(detectPaneStatus(demo, 'banner\nDo you want to proceed? (y/n)\n❯ '), 'waiting');
    assert.equal(detectPaneStatus(demo, ''), null);
  });

  const claude = kinds.forCommand('claude');
  const eventsOnly = { ...claude, statusFromScreen: false };
  const base = { windowExists: true, paneDead: false, pane: pane('claude-code-2.1.332-idle'), kind: claude, ageMs: 120_000, startingGraceMs: 60_000, now: 1_000_000 };
  const cases: Array<[string, Partial<Parameters<typeof deriveStatus>[0]>, string]> = [
    ['no window', { windowExists: false }, 'missing'],
    ['a dead pane', { paneDead: true }, 'exited'],
    ['the screen alone', {}, 'idle'],
    ['a busy hook just reported over an idle screen', { hook: { status: 'busy', at: 999_000 } }, 'busy'],
    ['a busy hook over a screen that has read idle since (an interrupt sends no hook)', { hook: { status: 'busy', at: 995_000 } }, 'idle'],
    ['a fresh busy hook over a busy screen', { pane: pane('claude-code-2.1.332-busy'), hook: { status: 'busy', at: 995_000 } }, 'busy'],
    ['a fresh idle hook over a busy screen', { pane: pane('claude-code-2.1.332-busy'), hook: { status: 'idle', at: 995_000 } }, 'idle'],
    ['a stale busy hook', { hook: { status: 'busy', at: 900_000 } }, 'idle'],
    ['a dialog on screen over a fresh busy hook', { pane: pane('claude-code-2.1.332-permission'), hook: { status: 'busy', at: 999_000 } }, 'waiting'],
    ['a young agent with an unreadable screen', { pane: 'loading', ageMs: 1_000 }, 'starting'],
    ['an old agent with an unreadable screen', { pane: 'loading' }, 'unknown'],
    ['a pane that could not be captured', { pane: null, ageMs: 1_000 }, 'starting'],
    // A kind whose status is read from its events only (`statusFromScreen: false`).
    ['a busy screen when the screen is not read', { kind: eventsOnly, pane: pane('claude-code-2.1.332-busy') }, 'unknown'],
    ['a dialog on screen when the screen is not read, after an idle hook', { kind: eventsOnly, pane: pane('claude-code-2.1.332-permission'), hook: { status: 'idle', at: 999_000 } }, 'idle'],
    ['a busy hook long ago over an idle screen that is not read', { kind: eventsOnly, hook: { status: 'busy', at: 1_000 } }, 'busy'],
    ['a young agent with no event yet when the screen is not read', { kind: eventsOnly, pane: pane('claude-code-2.1.332-idle'), ageMs: 1_000 }, 'starting'],
    // cmux's interrupt saw the turn stop, which Claude Code reports no event for (before any output).
    ['a busy hook before an interrupt that saw the turn stop, when the screen is not read', { kind: eventsOnly, pane: pane('claude-code-2.1.332-busy'), hook: { status: 'busy', at: 990_000 }, turnStoppedAt: 995_000 }, 'idle'],
    ['a busy hook after an interrupt that saw the turn stop (the next turn), when the screen is not read', { kind: eventsOnly, hook: { status: 'busy', at: 996_000 }, turnStoppedAt: 995_000 }, 'busy'],
    ['an interrupt that saw a turn stop, with no event yet, when the screen is not read', { kind: eventsOnly, turnStoppedAt: 995_000 }, 'unknown'],
  ];
  for (const [name, input, expected] of cases) {
    it(`derives ${expected} from ${name}`, () => assert.equal(deriveStatus({ ...base, ...input }), expected));
  }
});

describe('input helpers', () => {
  it('tells whether the composer still holds the message', () => {
    const demo = kinds.forCommand('demo-agent');
    assert.equal(stillInComposer(demo, 'x\n❯ hello world, how are you', 'hello world, how are you'), true);
    assert.equal(stillInComposer(demo, 'x\n❯ [Pasted text #1 +3 lines]', 'a\nb\nc'), true);
    assert.equal(stillInComposer(demo, '> hello world, how are you\n⏺ Done\n❯ ', 'hello world, how are you'), false);
    const claude = kinds.forCommand('claude');
    assert.equal(stillInComposer(claude, pane('claude-code-2.1.332-idle'), 'refactor the parser'), false);
    assert.equal(stillInComposer(claude, pane('claude-code-2.1.332-interrupt-early'), 'wait for it DELAY 6000'), true);
    assert.equal(stillInComposer(demo, 'x\n❯ a long line that wraps a\nround the edge', 'a long line that wraps around the edge'), true);
    // Its start is enough (the rest may be drawn off the box's first line), as is its end.
    assert.equal(stillInComposer(demo, 'x\n❯ a long line that wraps', 'a long line that wraps around the edge'), true);
  });
});
