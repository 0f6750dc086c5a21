import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findChoice, readChoices } from '../../apps/agents/dialogs.ts';
import { detectPaneStatus, loadConfig, stillInComposer } from '../../apps/core/src/index.ts';
import { loadKinds } from '../../apps/agents/index.ts';
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
  },
};
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

    // Claude Code's input box has tests of its own (agent-status.test.ts).
    if (cli === 'claude-code') continue;
    it(`tells whether ${cli}'s composer still holds a message`, () => {
      const idle = pane(files.find((f) => f.endsWith('-idle.txt'))!);
      const composer = kind.composer!;
      assert.equal(stillInComposer(composer, idle, 'please refactor the parser'), false);
      const typed = idle.replace(/^(› | > {3})\S.*$/m, (_line, prefix: string) => `${prefix.trimEnd()} please refactor the parser`);
      assert.notEqual(typed, idle);
      assert.equal(stillInComposer(composer, typed, 'please refactor the parser'), true);
      const answered = pane(files.find((f) => f.endsWith('-answered.txt'))!);
      assert.equal(stillInComposer(composer, answered, 'Say hello. DELAY 8000'), false);
      if (cli === 'gemini') {
        // In YOLO mode Gemini's composer line starts with `*`; the past prompt above keeps `>`.
        const yolo = answered.replace(/^ > {3}Type your message/m, ' *   Type your message');
        assert.equal(stillInComposer(composer, yolo, 'Say hello. DELAY 8000'), false);
      }
    });
  }
});
