import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findChoice, readChoices } from '../../apps/agents/dialogs.ts';
import { composerText, detectPaneStatus, loadConfig, stillInComposer } from '../../apps/core/src/index.ts';
import { loadKinds } from '../../apps/agents/index.ts';
import { limitOnScreen } from '../../apps/agents/limits/index.ts';
import { ROOT } from '../helpers/instance.ts';

// Every screen captured from a real agent CLI (test/real-agents/capture-panes.ts) reads as the
// state it was captured in. A capture without an expected state fails, so a new one is not
// silently left unchecked.
const kinds = loadKinds(loadConfig({ env: {}, root: ROOT }));
const PANES = join(ROOT, 'test', 'fixtures', 'panes');
// `none`: no status rule matches (the agent is still starting).
const EXPECTED: Record<string, Record<string, 'busy' | 'waiting' | 'idle' | 'none'>> = {
  'claude-code': {
    idle: 'idle',
    busy: 'busy',
    'busy-stream': 'busy',
    permission: 'waiting',
    trust: 'waiting',
    apikey: 'waiting',
    bypass: 'waiting',
    'interrupt-early': 'idle',
    'interrupt-mid': 'idle',
    compacted: 'idle',
    typed: 'idle',
    pasted: 'idle',
    rewind: 'waiting',
  },
  codex: {
    starting: 'none',
    trust: 'waiting',
    idle: 'idle',
    busy: 'busy',
    answered: 'idle',
    approval: 'waiting',
    'after-tool': 'idle',
    interrupted: 'idle',
    compacted: 'idle',
    'model-dialog': 'waiting',
    login: 'waiting',
    typed: 'idle',
    pasted: 'idle',
    // The menu under a usage limit: no state of its own (cmux reads `limited` and answers it).
    limit: 'none',
  },
  gemini: {
    trust: 'waiting',
    idle: 'idle',
    busy: 'busy',
    answered: 'idle',
    approval: 'waiting',
    'after-tool': 'idle',
    interrupted: 'idle',
    compacted: 'idle',
    auth: 'waiting',
    typed: 'idle',
    pasted: 'idle',
    'pasted-enter-lost': 'idle',
    queued: 'busy',
    // A usage limit it waits out: the spinner only. A longer one: its dialog, then (Stop) the
    // error line under an idle input box.
    'limit-retrying': 'busy',
    limit: 'waiting',
    'limit-stopped': 'idle',
  },
};
// What each capture's input box holds: nothing, a typed line, or a pasted block (whatever the
// program shows for it); captures not listed show no input box cmux reads.
const INPUT_BOX: Record<string, 'empty' | 'typed' | 'pasted'> = {
  idle: 'empty',
  answered: 'empty',
  'after-tool': 'empty',
  interrupted: 'empty',
  'interrupt-mid': 'empty',
  compacted: 'empty',
  busy: 'empty',
  queued: 'empty',
  typed: 'typed',
  pasted: 'pasted',
  'pasted-enter-lost': 'pasted',
  'limit-retrying': 'empty',
  'limit-stopped': 'empty',
};
// What the capture script typed and pasted (test/real-agents/capture-panes.ts).
const TYPED = 'an unsent message';
const PASTED = Array.from({ length: 12 }, (_, i) => `line ${i + 1} of a pasted task: read it, do what it says, then report back once you are done.`).join('\n');
// The program each kind's captures come from.
const PROGRAM: Record<string, string> = { 'claude-code': 'claude', codex: 'codex', gemini: 'gemini' };
// The startup dialogs cmux answers, and the choice it picks (checked on the real screens).
const STARTUP_CHOICE: Record<string, Record<string, string>> = {
  'claude-code': { trust: 'Yes, I trust this folder', apikey: 'Yes', bypass: 'Yes, I accept' },
  codex: { trust: 'Trust and continue', 'model-dialog': 'Use existing model' },
  gemini: { trust: 'Trust folder' },
};
const CAPTURE = /^(.+)-(\d[\d.]*)-(.+)\.txt$/;
// Each dialog's choices as they must be read off its screen (the question and hints are not).
const MENUS: Record<string, string[]> = {
  'claude-code-2.1.332-permission.txt': ['Yes', 'Yes, and always allow access to /tmp/ex from this project', 'Yes, and switch to auto mode · auto mode handles these prompts for you', 'No'],
  'claude-code-2.1.332-trust.txt': ['No, exit', 'Yes, I trust this folder'],
  'claude-code-2.1.332-apikey.txt': ['Yes', 'No (recommended)'],
  'codex-0.171.0-approval.txt': ['Yes, proceed (y)', "Yes, and don't ask again for commands that start with `echo approved` (p)", 'No, and tell Codex what to do differently (esc)'],
  'gemini-0.61.0-approval.txt': ['Allow once', 'Allow for this session', 'No, suggest changes (esc)'],
  'gemini-0.61.0-limit.txt': ['Keep trying', 'Stop'],
};
// The captures that show a usage limit, and the reset cmux reads from each at LIMIT_SEEN, the
// moment Gemini's were captured (its dialog's "5:42 AM UTC" is the end of that minute; its
// error line's "after 400s" counts from when it is read); null: any reset (Codex's is a local
// time, checked in test/unit/limits.test.ts).
const LIMIT_SEEN = Date.UTC(2026, 11, 7, 5, 35, 50);
const LIMITS: Record<string, number | null> = {
  'codex-0.171.0-limit.txt': null,
  'gemini-0.61.0-limit.txt': Date.UTC(2026, 11, 7, 5, 43),
  'gemini-0.61.0-limit-stopped.txt': LIMIT_SEEN + 400_000,
};
const pane = (file: string) => readFileSync(join(PANES, file), 'utf8');

describe('real agent screens', () => {
  for (const cli of Object.keys(EXPECTED)) {
    const kind = kinds.forCommand(PROGRAM[cli]!);
    const files = readdirSync(PANES).filter((f) => CAPTURE.exec(f)?.[1] === cli);

    it(`picks the ${cli} kind from its command`, () => {
      assert.equal(kind.name, cli);
      assert.equal(kinds.forCommand(`/x/node_modules/.bin/${PROGRAM[cli]} --flag`).name, cli);
      assert.equal(kinds.forCommand(`${PROGRAM[cli]}x`).name, 'generic');
      assert.ok(files.length >= Object.keys(EXPECTED[cli]!).length, `captures of ${cli} in ${PANES}`);
    });

    for (const file of files) {
      const state = CAPTURE.exec(file)?.[3] ?? '';
      it(`reads ${file} as ${EXPECTED[cli]![state] ?? '(no expected state)'}`, () => {
        assert.ok(EXPECTED[cli]![state], `no expected state for ${file}`);
        assert.equal(detectPaneStatus(kind, pane(file)) ?? 'none', EXPECTED[cli]![state]);
      });
    }

    for (const file of files.filter((f) => MENUS[f])) {
      it(`reads the choices of ${file}`, () => {
        assert.deepEqual(readChoices(pane(file), kind.choiceCursor)?.choices, MENUS[file]);
      });
    }

    it(`answers ${cli}'s startup dialogs only, each with a choice that is on its screen`, () => {
      for (const file of files) {
        const state = CAPTURE.exec(file)?.[3] ?? '';
        const rules = kind.startup.filter((rule) => rule.when.test(pane(file)));
        const expected = STARTUP_CHOICE[cli]![state];
        assert.deepEqual(rules.map((r) => r.choose), expected ? [expected] : [], file);
        if (!expected) continue;
        const menu = readChoices(pane(file), kind.choiceCursor);
        assert.ok(menu && findChoice(menu, expected) !== -1, `${file}: ${JSON.stringify(menu)}`);
      }
    });

    it(`reads what ${cli}'s input box holds, a pasted block by ${cli}'s own placeholder for it`, () => {
      for (const file of files) {
        const state = CAPTURE.exec(file)?.[3] ?? '';
        const box = INPUT_BOX[state];
        if (!box) continue;
        assert.equal(composerText(kind, pane(file)) === '', box === 'empty', `${file}: ${JSON.stringify(composerText(kind, pane(file)))}`);
        // A pasted block is there by its placeholder, which does not say whose it is.
        assert.equal(stillInComposer(kind, pane(file), TYPED), box !== 'empty', `${file} holds the typed line`);
        assert.equal(stillInComposer(kind, pane(file), PASTED), box === 'pasted', `${file} holds the pasted block`);
      }
      assert.equal(composerText(kind, pane(`${cli}-${CAPTURE.exec(files[0]!)![2]}-typed.txt`)), TYPED);
    });

    it(`reads a usage limit on ${cli}'s limit screens only, with the reset they say`, () => {
      for (const file of files) {
        const seen = limitOnScreen(kind, pane(file), LIMIT_SEEN);
        assert.equal(seen !== null, file in LIMITS, `${file}: ${JSON.stringify(seen)}`);
        if (seen && LIMITS[file] !== null) assert.deepEqual(seen.reset, { until: LIMITS[file], note: null }, file);
        // The menu cmux answers after a limit, on the limit's screen only, offering its choice.
        const after = kind.limits?.after.find((menu) => menu.when.test(pane(file)));
        assert.equal(after !== undefined, file === 'codex-0.171.0-limit.txt' || file === 'gemini-0.61.0-limit.txt', file);
        if (!after) continue;
        assert.ok(findChoice(readChoices(pane(file), kind.choiceCursor)!, after.choose) !== -1, file);
        // Still the menu once the cursor has left its first choice (cmux moves it, then presses
        // Enter only while the menu is there).
        const unmarked = pane(file)
          .split('\n')
          .map((line) => line.replace(/^(\s*)│/, '$1 ').replace(kind.choiceCursor!, (mark) => ' '.repeat(mark.length)))
          .join('\n');
        assert.ok(after.when.test(unmarked), `${file} without its cursor`);
      }
    });

    it(`knows ${cli}'s stray menus (Claude Code's Rewind) on their screens only`, () => {
      for (const file of files) {
        const state = CAPTURE.exec(file)?.[3] ?? '';
        assert.equal(kind.strayMenus.some((menu) => menu.when.test(pane(file))), state === 'rewind', file);
      }
    });
  }
});
