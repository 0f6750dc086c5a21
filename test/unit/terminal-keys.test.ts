import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NAMED_KEYS } from '../../apps/agents/index.ts';
import { paneKeys } from '../../apps/dashboard/src/terminal-keys.ts';

// What the dashboard's interactive terminal sends for what xterm emitted.
describe('keys from the interactive terminal', () => {
  it('sends typed text as text, and the keys xterm encodes as their tmux names', () => {
    assert.deepEqual(paneKeys('hello world'), [{ text: 'hello world' }]);
    assert.deepEqual(paneKeys('\r'), [{ key: 'Enter' }]);
    assert.deepEqual(paneKeys('\x7f\t\x1b[Z'), [{ key: 'BSpace' }, { key: 'Tab' }, { key: 'BTab' }]);
    assert.deepEqual(paneKeys('\x1b[A\x1bOB\x1b[C\x1b[D'), [{ key: 'Up' }, { key: 'Down' }, { key: 'Right' }, { key: 'Left' }]);
    assert.deepEqual(paneKeys('\x1b[3~\x1b[5~\x1b[6~\x1b[H\x1b[F'), [{ key: 'DC' }, { key: 'PPage' }, { key: 'NPage' }, { key: 'Home' }, { key: 'End' }]);
  });

  it('sends Ctrl with a letter by name, and a paste as lines with Enter between', () => {
    assert.deepEqual(paneKeys('\x03\x04'), [{ key: 'C-c' }, { key: 'C-d' }]);
    assert.deepEqual(paneKeys('one\rtwo'), [{ text: 'one' }, { key: 'Enter' }, { text: 'two' }]);
  });

  it('leaves out escape sequences it does not know and NUL, never typing them as text', () => {
    assert.deepEqual(paneKeys('a\x1b[15~b\x00c'), [{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
  });

  it('only ever names keys the server accepts', () => {
    const all = ['\r', '\x7f', '\b', '\t', '\x1b', '\x1b[Z', '\x1b[A', '\x1bOD', '\x1b[H', '\x1bOF', '\x1b[3~', '\x1b[5~', '\x1b[6~', '\x01', '\x1a'].flatMap(paneKeys);
    for (const k of all) assert.ok('key' in k && ((NAMED_KEYS as readonly string[]).includes(k.key) || /^C-[a-z]$/.test(k.key)), JSON.stringify(k));
  });
});
