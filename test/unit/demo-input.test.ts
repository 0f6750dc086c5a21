import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSerialQueue } from '../../apps/core/src/index.ts';
import { createInputParser } from '../../apps/demo-agent/input-parser.ts';

describe('the demo agent\'s input parser', () => {
  it('reads typed text, Enter, Backspace, Ctrl-C and Ctrl-D', () => {
    const { feed } = createInputParser();
    assert.deepEqual(feed('hi\x7f!\r\x03\x04'), [
      { type: 'text', text: 'hi' },
      { type: 'backspace' },
      { type: 'text', text: '!' },
      { type: 'enter' },
      { type: 'interrupt' },
      { type: 'eof' },
    ]);
  });

  it('takes a bracketed paste as one event, even split across chunks, with CR turned into LF', () => {
    const { feed } = createInputParser();
    const events = [...feed('\x1b[20'), ...feed('0~line 1\rline'), ...feed(' 2\x1b[2'), ...feed('01~\r')];
    assert.deepEqual(events, [{ type: 'paste', text: 'line 1\nline 2' }, { type: 'enter' }]);
  });

  it('tells a lone Escape from a key sequence only once the input is quiet', () => {
    const parser = createInputParser();
    assert.deepEqual(parser.feed('\x1b[A'), [], 'an arrow key is ignored');
    assert.deepEqual(parser.feed('\x1b'), []);
    assert.equal(parser.waiting, true);
    assert.deepEqual(parser.flush(), [{ type: 'escape' }]);
    assert.deepEqual(parser.feed('\x1bx'), [{ type: 'escape' }, { type: 'text', text: 'x' }]);
  });
});

describe('the per-agent input queue', () => {
  it('runs one key in order, different keys side by side, and survives a failed task', async () => {
    const queue = createSerialQueue();
    const log: string[] = [];
    const task = (key: string, name: string, ms: number, fail = false) =>
      queue.run(key, async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task('a', 'a1', 30, true), task('a', 'a2', 1), task('b', 'b1', 5)]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'fulfilled']);
    assert.deepEqual(log, ['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
    assert.equal(queue.busyKeys, 0);
  });
});
