import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detectPaneStatus, lastLines, loadAgentKinds, stillInComposer } from '../../apps/core/src/index.ts';
import { ROOT } from '../helpers/instance.ts';

// Every screen captured from a real agent CLI (test/real-agents/capture-panes.ts) reads as the
// state it was captured in. A capture without an expected state fails, so a new one is not
// silently left unchecked.
const kinds = loadAgentKinds(ROOT);
const PANES = join(ROOT, 'test', 'fixtures', 'panes');
const EXPECTED: Record<string, Record<string, 'busy' | 'waiting' | 'idle'>> = {
  codex: {
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
// The startup dialogs cmux answers, and how (the keys were checked on the real screens).
const STARTUP_KEYS: Record<string, string[]> = { trust: ['Enter'], 'model-dialog': ['Down', 'Enter'] };
const pane = (file: string) => readFileSync(join(PANES, file), 'utf8');

describe('real agent screens', () => {
  for (const cli of Object.keys(EXPECTED)) {
    const kind = kinds.forCommand(cli);
    const files = readdirSync(PANES).filter((f) => f.startsWith(`${cli}-`) && f.endsWith('.txt'));

    it(`picks the ${cli} kind from its command`, () => {
      assert.equal(kind.name, cli);
      assert.equal(kinds.forCommand(`/x/node_modules/.bin/${cli} --flag`).name, cli);
      assert.equal(kinds.forCommand(`${cli}x`).name, 'generic');
      assert.ok(files.length >= Object.keys(EXPECTED[cli]!).length, `captures of ${cli} in ${PANES}`);
    });

    for (const file of files) {
      const state = /^[a-z]+-[\d.]+-(.+)\.txt$/.exec(file)?.[1] ?? '';
      it(`reads ${file} as ${EXPECTED[cli]![state] ?? '(no expected state)'}`, () => {
        assert.ok(EXPECTED[cli]![state], `no expected state for ${file}`);
        assert.equal(detectPaneStatus(kind, pane(file)), EXPECTED[cli]![state]);
      });
    }

    it(`answers ${cli}'s startup dialogs only, each with the keys that go on (trust the folder, keep the model)`, () => {
      const answers = (screen: string) => kind.startup.filter((rule) => rule.when.test(lastLines(screen, kind.statusLines))).map((rule) => rule.keys);
      for (const file of files) {
        const state = /^[a-z]+-[\d.]+-(.+)\.txt$/.exec(file)?.[1] ?? '';
        assert.deepEqual(answers(pane(file)), STARTUP_KEYS[state] ? [STARTUP_KEYS[state]] : [], file);
      }
    });

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
