import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tagged } from '../../apps/agents/render.ts';
import { foldLines, terminalText } from '../../apps/core/src/index.ts';

describe('message text as terminal input', () => {
  it('removes both bracketed-paste markers, in 7-bit and 8-bit form', () => {
    assert.equal(terminalText('a\x1b[200~b\x1b[201~c\x9b201~d'), 'abcd');
  });

  it('shows every other control character in caret notation, so none acts as a key', () => {
    assert.equal(terminalText('x\x03\x1c\x1a\x13\x04\x15\x7f'), 'x^C^\\^Z^S^D^U^?');
    assert.equal(terminalText('\x1b[31mred'), '^[[31mred');
    assert.equal(terminalText('csi\x9b2J'), 'csi^[[2J');
  });

  it('never passes NUL, which would cut the text', () => {
    const out = terminalText('before\x00after');
    assert.equal(out, 'before^@after');
    assert.ok(!out.includes('\x00'));
  });

  it('keeps newline and tab, and turns \\r\\n and a lone \\r into \\n', () => {
    assert.equal(terminalText('a\r\nb\rc\nd\te'), 'a\nb\nc\nd\te');
  });

  it('leaves ordinary text, quotes and unicode exactly as they were', () => {
    const text = 'hello "q" \'s\' $HOME `date` ünïcødé 🚀 \u2028';
    assert.equal(terminalText(text), text);
  });

  it('a paste-end marker hidden inside another cannot be rebuilt by the removal', () => {
    const out = terminalText('x\x1b[20\x1b[201~1~\r/exit\r');
    assert.ok(!out.includes('\x1b'), JSON.stringify(out));
    assert.equal(out, 'x^[[201~\n/exit\n');
  });

  it('a command hidden behind a removed marker is still tagged with its sender', () => {
    assert.equal(terminalText(tagged('\x1b[201~/exit', 'w1')), '[w1] /exit');
  });

  it('folds lines onto one with a visible mark, dropping trailing newlines', () => {
    assert.equal(foldLines('one\ntwo\n\nthree\n\n'), 'one ⏎ two ⏎  ⏎ three');
  });
});
