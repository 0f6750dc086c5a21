import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { appendMessage, isCmuxError, MAX_LINE_BYTES, mailboxMessageSchema } from '../../apps/core/src/index.ts';
import { ROOT } from '../helpers/instance.ts';
import { readNewLines, type MailboxCursor } from '../../apps/router/mailbox-reader.ts';
import { renderForAgent, tagged } from '../../apps/agents/render.ts';
import { signatureMatches } from '../../apps/server/routes/webhooks.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-mail-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const start: MailboxCursor = { inode: 0, offset: 0 };
const texts = (r: ReturnType<typeof readNewLines>) => r.lines.map((l) => (l.kind === 'line' ? l.text : `<${l.bytes} bytes>`));

describe('appending to the mailbox', () => {
  it('writes whole lines with id and time, from many writers at once', async () => {
    const home = join(dir, 'append');
    await Promise.all(Array.from({ length: 200 }, (_, i) => appendMessage(home, { from: `w${i % 4}`, to: 'user', subject: `n ${i}`, body: 'b'.repeat(i * 50) })));
    const lines = readFileSync(join(home, 'mailbox.jsonl'), 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 200);
    for (const line of lines) assert.ok(mailboxMessageSchema.safeParse(JSON.parse(line)).success);
  });

  // Linux serialises each O_APPEND write() to a local file, so writers whose lines take one
  // write() each never interleave, lock or not. The lock is for a line that takes more than one
  // write (writeAll goes on after a short write: a full disk, a signal; an append over NFS is no
  // single write at all) and for the torn-tail check before it. One writer here takes two writes
  // per line, under the mailbox lock as every writer must; with appendMessage's lock removed, the
  // other processes' lines land inside its lines (#26 finding 10).
  it('several processes appending long lines at once: every line whole, each writer\'s lines in order', { timeout: 120_000 }, async () => {
    const home = join(dir, 'processes');
    mkdirSync(home, { recursive: true });
    const done = join(home, 'split-writer-done');
    const mailbox = JSON.stringify(join(ROOT, 'apps/core/src/mailbox/index.ts'));
    const lock = JSON.stringify(join(ROOT, 'apps/core/src/lock/index.ts'));
    const node = (script: string) => execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, timeout: 90_000 });
    // Bodies of 5 to 60 KiB: far over PIPE_BUF, and each line a write of its own.
    const appender = (writer: string) => `
      import { existsSync, writeFileSync } from 'node:fs';
      import { appendMessage } from ${mailbox};
      writeFileSync(${JSON.stringify(join(home, 'ready-'))} + ${JSON.stringify(writer)}, '');
      for (let seq = 0; seq < 20 || !existsSync(${JSON.stringify(done)}); seq++) {
        await appendMessage(${JSON.stringify(home)}, { from: ${JSON.stringify(writer)}, to: 'user', subject: String(seq), body: ${JSON.stringify(writer)}.repeat(5_000 + ((seq * 7_919) % 56_000)) });
        await new Promise((r) => setTimeout(r, 2));
      }`;
    const splitWriter = `
      import { closeSync, constants, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
      import { join } from 'node:path';
      import { withFileLock } from ${lock};
      const file = join(${JSON.stringify(home)}, 'mailbox.jsonl');
      // Every appender is under way before the first split line.
      while (!['a', 'b', 'c'].every((w) => existsSync(${JSON.stringify(join(home, 'ready-'))} + w))) await new Promise((r) => setTimeout(r, 20));
      for (let seq = 0; seq < 15; seq++) {
        const line = Buffer.from(JSON.stringify({ id: 'split-' + seq, ts: new Date().toISOString(), from: 'split', to: 'user', subject: String(seq), body: 'split'.repeat(8_000) }) + '\\n');
        await withFileLock(${JSON.stringify(home)}, file, async () => {
          const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
          writeSync(fd, line, 0, 20_000);
          await new Promise((r) => setTimeout(r, 25));
          writeSync(fd, line, 20_000);
          closeSync(fd);
        });
        await new Promise((r) => setTimeout(r, 5));
      }
      writeFileSync(${JSON.stringify(done)}, '');`;
    await Promise.all([node(splitWriter), ...['a', 'b', 'c'].map((writer) => node(appender(writer)))]);
    const lines = readFileSync(join(home, 'mailbox.jsonl'), 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    const seen = new Map<string, number[]>();
    for (const [i, line] of lines.entries()) {
      const parsed = mailboxMessageSchema.safeParse((() => {
        try {
          return JSON.parse(line);
        } catch {
          return null;
        }
      })());
      assert.ok(parsed.success, `line ${i + 1} is no whole message: ${line.slice(0, 60)}…${line.slice(-60)}`);
      assert.ok(parsed.data.body === parsed.data.from.repeat(parsed.data.body!.length / parsed.data.from.length), `line ${i + 1} carries another writer's bytes`);
      seen.set(parsed.data.from, [...(seen.get(parsed.data.from) ?? []), Number(parsed.data.subject)]);
    }
    assert.deepEqual([...seen.keys()].sort(), ['a', 'b', 'c', 'split']);
    for (const [writer, seqs] of seen) assert.deepEqual(seqs, seqs.map((_, i) => i), `${writer}'s lines, each once and in its order`);
  });

  it('moves a body over 1 MB into a journal attachment', async () => {
    const home = join(dir, 'big');
    const body = 'y'.repeat(1024 * 1024 + 1);
    const message = await appendMessage(home, { from: 'user', to: 'w1', subject: 'big', body });
    assert.equal(message.body, undefined);
    assert.equal(readFileSync(message.bodyFile!, 'utf8'), body);
    assert.ok(message.bodyFile!.startsWith(join(home, 'journal')));
  });

  it('refuses bad addresses and empty subjects without writing anything', async () => {
    const home = join(dir, 'bad');
    for (const input of [
      { from: 'user', to: '../x', subject: 's' },
      { from: 'a b', to: 'user', subject: 's' },
      { from: 'user', to: 'user', subject: '' },
      { from: 'user', to: 'a:b:c', subject: 's' },
      { from: 'user', to: 'x'.repeat(49), subject: 's' },
    ]) {
      await assert.rejects(appendMessage(home, input), (e) => isCmuxError(e, 'CMUX_ERR_BAD_REQUEST'), JSON.stringify(input));
    }
    assert.throws(() => readFileSync(join(home, 'mailbox.jsonl')));
  });

  it('closes a line torn by a writer that died, so the next message is a line of its own (M3)', async () => {
    const home = join(dir, 'torn');
    mkdirSync(home, { recursive: true });
    const file = join(home, 'mailbox.jsonl');
    writeFileSync(file, '{"id":"x","ts":"2026-11-27T21:03:3');
    const cursor = readNewLines(dir, file, start);
    assert.deepEqual(texts(cursor), [], 'the fragment waits for its newline');
    const message = await appendMessage(home, { from: 'user', to: 'w1', subject: 'after the tear' });
    const [fragment, line] = texts(readNewLines(dir, file, cursor.cursor));
    assert.equal(fragment, '{"id":"x","ts":"2026-11-27T21:03:3', 'only the fragment is left to dead-letter');
    assert.equal(mailboxMessageSchema.parse(JSON.parse(line!)).id, message.id);
  });

  it('refuses to append through a symbolic link planted in CMUX_HOME (L3)', async () => {
    const home = join(dir, 'link');
    mkdirSync(home, { recursive: true });
    const outside = join(dir, 'outside.jsonl');
    writeFileSync(outside, '');
    symlinkSync(outside, join(home, 'mailbox.jsonl'));
    await assert.rejects(appendMessage(home, { from: 'user', to: 'w1', subject: 's' }), (e) => isCmuxError(e, 'CMUX_ERR_HOME_UNSAFE') && /symbolic link/.test((e as Error).message));
    const journal = join(home, 'journal');
    symlinkSync(dir, journal);
    await assert.rejects(appendMessage(home, { from: 'user', to: 'w1', subject: 's', body: 'b'.repeat(1024 * 1024 + 1) }), (e) => isCmuxError(e, 'CMUX_ERR_HOME_UNSAFE'));
    assert.equal(readFileSync(outside, 'utf8'), '');
  });
});

describe('mailbox timestamps', () => {
  const line = (ts: string) => ({ id: 'a', ts, from: 'user', to: 'w1', subject: 's' });
  it('accepts any ISO-8601 offset and fractional precision, and stores UTC', () => {
    assert.equal(mailboxMessageSchema.parse(line('2026-11-27T21:03:34+00:00')).ts, '2026-11-27T21:03:34.000Z');
    assert.equal(mailboxMessageSchema.parse(line('2026-11-27T22:03:34.123456+01:00')).ts, '2026-11-27T21:03:34.123Z');
    assert.equal(mailboxMessageSchema.parse(line('2026-11-27T21:03:34.5Z')).ts, '2026-11-27T21:03:34.500Z');
  });
  it('refuses a time without an offset or that is no time at all', () => {
    for (const ts of ['2026-11-27T21:03:34', 'yesterday', '2026-13-01T00:00:00Z']) assert.equal(mailboxMessageSchema.safeParse(line(ts)).success, false, ts);
  });
});

describe('reading the mailbox', () => {
  it('takes complete lines only; a partial line waits for its newline', () => {
    const file = join(dir, 'partial.jsonl');
    writeFileSync(file, 'one\ntwo\nthr');
    const first = readNewLines(dir, file, start);
    assert.deepEqual(texts(first), ['one', 'two']);
    appendFileSync(file, 'ee\n');
    const second = readNewLines(dir, file, first.cursor);
    assert.deepEqual(texts(second), ['three']);
    assert.deepEqual(texts(readNewLines(dir, file, second.cursor)), []);
  });

  it('skips a line longer than the limit, even one larger than a whole read, and goes on', () => {
    const file = join(dir, 'huge.jsonl');
    writeFileSync(file, `before\n${'z'.repeat(20 * 1024 * 1024)}\nafter\n`);
    const seen: string[] = [];
    let cursor = start;
    for (let i = 0; i < 5; i++) {
      const result = readNewLines(dir, file, cursor);
      seen.push(...texts(result));
      cursor = result.cursor;
    }
    assert.deepEqual(seen, ['before', `<${20 * 1024 * 1024} bytes>`, 'after']);
    assert.ok(20 * 1024 * 1024 > MAX_LINE_BYTES);
  });

  it('starts again from the top of a truncated or replaced file', () => {
    const file = join(dir, 'rotate.jsonl');
    writeFileSync(file, 'a\nb\n');
    const first = readNewLines(dir, file, start);
    truncateSync(file, 0);
    appendFileSync(file, 'c\n');
    const truncated = readNewLines(dir, file, first.cursor);
    assert.equal(truncated.reset, 'truncated');
    assert.deepEqual(texts(truncated), ['c']);
    renameSync(file, `${file}.old`);
    writeFileSync(file, 'd\ne\nf\n');
    const replaced = readNewLines(dir, file, truncated.cursor);
    assert.equal(replaced.reset, 'replaced');
    assert.deepEqual(texts(replaced), ['d', 'e', 'f']);
  });

  it('reads nothing from a mailbox that does not exist yet', () => {
    assert.deepEqual(readNewLines(dir, join(dir, 'none.jsonl'), start), { lines: [], cursor: start });
  });
});

describe('what an agent reads', () => {
  const base = { id: '1', ts: new Date().toISOString() };
  it('gets the user\'s words as written, anyone else\'s under a sender tag', () => {
    assert.equal(renderForAgent({ ...base, from: 'user', to: 'w1', subject: 'hi', body: '/compact' }), '/compact');
    assert.equal(renderForAgent({ ...base, from: 'user', to: 'w1', subject: '/compact' }), '/compact');
    assert.equal(renderForAgent({ ...base, from: 'supervisor', to: 'w1', subject: '/exit' }), '[supervisor] /exit');
    assert.equal(renderForAgent({ ...base, from: 'w2', to: 'w1', subject: 'done', body: 'details\nhere' }), '[w2] done\n\ndetails\nhere');
    assert.equal(renderForAgent({ ...base, from: 'w2', to: 'w1', subject: 'big', bodyFile: '/x/y.md' }), '[w2] big\n\n(The full message is in /x/y.md.)');
  });

  it('tags text typed straight in by the same rule: anyone but the user, command-like or not', () => {
    assert.equal(tagged('/compact', 'user'), '/compact');
    assert.equal(tagged('/compact', 'supervisor'), '[supervisor] /compact');
    assert.equal(tagged('!rm -rf /', 'webhook:github'), '[webhook:github] !rm -rf /');
    assert.equal(tagged('hello /x', 'supervisor'), '[supervisor] hello /x');
  });
});

describe('webhook signatures', () => {
  it('accepts only the exact sha256 HMAC of the exact bytes', () => {
    const raw = Buffer.from('{"a":1}');
    const real = `sha256=${createHmac('sha256', 'secret').update(raw).digest('hex')}`;
    assert.equal(signatureMatches(raw, real, 'secret'), true);
    assert.equal(signatureMatches(raw, real, 'other'), false);
    assert.equal(signatureMatches(Buffer.from('{"a":2}'), real, 'secret'), false);
    assert.equal(signatureMatches(raw, real.toUpperCase(), 'secret'), false);
    assert.equal(signatureMatches(raw, undefined, 'secret'), false);
    assert.equal(signatureMatches(raw, 'sha1=abc', 'secret'), false);
  });
});
