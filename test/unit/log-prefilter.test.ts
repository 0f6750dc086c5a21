import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig, readLineBlocks } from '../../apps/core/src/index.ts';
import { candidateLines } from '../../apps/log-watcher/candidates.ts';
import { compileMatcher, CONTEXT_BEFORE, createFindingCollector, type Finding } from '../../apps/log-watcher/findings.ts';
import { MAX_LINE_BYTES } from '../../apps/log-watcher/log-reader.ts';
import { prefilterNeedles, requiredLiterals } from '../../apps/log-watcher/prefilter.ts';
import { seededRandom } from '../helpers/seeded.ts';

// Patterns a user may configure, chosen to trip a literal prefilter: alternation, optional and
// repeated groups, classes, escapes, anchors, lookaround, backreferences, inline flags, unicode.
const TRICKY = [
  'ERROR',
  '\\bERR(?:OR)?\\b',
  'ERROR|WARN(ING)?',
  'fo(o|ur)?bar',
  '(?:abc)?def',
  'a(?:b|c)d',
  'colou?r',
  '[Ee]rror',
  'x*y?',
  'fail|',
  '\\d{3} ms',
  '(a|b)+c',
  'ab+c',
  'a{2,}b',
  '(?=ERR)E.R',
  '(?!OK)\\b\\w{1,8}ed',
  '(?<word>fail)ed',
  '\\x41\\u0042\\u{43}',
  '\\(x\\)',
  '(ab)\\1',
  'caf\u00e9+',
  '\u{1F525} burn',
  '[ERROR]{5}',
  '^\\s+at .[^(]*\\(.+:\\d+:\\d+\\)$',
  '" 5\\d\\d\\b',
  'ab\uFFFDcd',
  '\\uFFFD',
];

describe('the log prefilter: literals a match cannot go without', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cx-prefilter-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('derives literals only where they are provably required, and gives up otherwise', () => {
    const cases: Array<[string, string[] | null]> = [
      ['\\bERROR\\b', ['ERROR']],
      ['ERROR|WARN(ING)?', ['ERROR', 'WARN']],
      ['fo(o|ur)?bar', ['bar']],
      ['colou?r', ['colo']],
      ['[Ee]rror', ['rror']],
      ['ab+c', ['ab']],
      ['(?=ERR)E.R', ['E']],
      ['\\x41\\u0042\\u{43}', ['ABC']],
      ['\\(x\\)', ['(x)']],
      ['GET /(api/webhooks/)?health', ['health']],
      // Nothing is required: an empty alternative, an optional everything, only classes.
      ['fail|', null],
      ['x*y?', null],
      ['(?!OK)\\b\\w{1,8}ed', ['ed']],
      ['[ERROR]{5}', null],
      // What the parser will not vouch for: backreferences, inline flags.
      ['(ab)\\1', null],
      ['(?i:error)', null],
      // A decoder's replacement character is never looked for in raw bytes.
      ['\\uFFFD', null],
      ['ab\uFFFDcd', ['ab']],
    ];
    for (const [pattern, expected] of cases) assert.deepEqual(requiredLiterals(pattern), expected, pattern);
    assert.equal(requiredLiterals('ERROR', 'ui'), null, 'case-insensitive: the literal does not spell every match');
    assert.equal(requiredLiterals('ERROR', ''), null, 'without u, escapes mean other things');
    assert.equal(prefilterNeedles(['ERROR', 'fail|']), null, 'one pattern without literals: every line is tested');
    assert.deepEqual(prefilterNeedles(['ERROR', 'ERRORS', '\\bERROR\\b']), ['ERROR'], 'a needle that holds another adds nothing');
  });

  it('never misses a line its pattern matches (random lines from the patterns\' own pieces)', () => {
    const random = seededRandom('CMUX_PREFILTER_SEED');
    const pieces = ['ERR', 'OR', 'ERROR', 'WARN', 'ING', 'fo', 'o', 'ur', 'bar', 'abc', 'def', 'a', 'b', 'c', 'd', 'colo', 'u', 'r', 'E', 'e', 'rror', 'x', 'y', 'fail', 'ed', '12', '345', ' ms', 'ABC', '(x)', '(', ')', ':', 'ab', 'café', 'éé', '\u{1F525}', ' burn', '    at ', 'fn ', '/app.js', ':1:2', '" 5', '00', ' ', '\uFFFD', 'OK', 'word'];
    let matched = 0;
    for (const pattern of TRICKY) {
      const regex = new RegExp(pattern, 'u');
      const literals = requiredLiterals(pattern);
      for (let i = 0; i < 4_000; i++) {
        const n = 1 + Math.floor(random.next() * 6);
        const line = Array.from({ length: n }, () => pieces[Math.floor(random.next() * pieces.length)]).join('');
        if (!regex.test(line)) continue;
        matched += 1;
        assert.ok(literals === null || literals.some((l) => line.includes(l)), `${pattern} matches ${JSON.stringify(line)}, which holds none of ${JSON.stringify(literals)} (seed ${random.seed})`);
      }
    }
    assert.ok(matched > 5_000, `the lines matched often enough to mean something (${matched})`);
  });

  it('finds in a log exactly what testing every line finds: long lines, stack traces, bad UTF-8, CRLF, block edges', () => {
    const random = seededRandom('CMUX_PREFILTER_LOG_SEED');
    const parts: Buffer[] = [];
    const say = (text: string) => parts.push(Buffer.from(`${text}\n`));
    for (let i = 0; i < 20_000; i++) {
      const r = random.next();
      if (r < 0.9) say(`2026-11-26T05:00:00.000Z INFO [app] GET /api/items/${i} 200 in ${i % 97} ms`);
      else if (r < 0.92) say(`2026-11-26T05:00:01Z ERROR request ${i} failed`);
      else if (r < 0.925) for (const l of ['TypeError: boom', `    at fn (/app/x.js:${i}:2)`, '    at next (node:internal/x:1:1)', '', 'after the trace']) say(l);
      else if (r < 0.93) for (const l of ['Traceback (most recent call last):', `  File "job.py", line ${i}, in <module>`, '    run()', 'ValueError: no', 'next']) say(l);
      else if (r < 0.935) say(`x${'y'.repeat(MAX_LINE_BYTES + Math.floor(random.next() * 3 * MAX_LINE_BYTES))} ERROR beyond the head`);
      else if (r < 0.9353) say(`ERROR at the head of a very long line ${'z'.repeat(300 * 1024)}`);
      else if (r < 0.95) parts.push(Buffer.from([0x45, 0x52, 0x52, 0xff, 0x4f, 0x52, 0x20, 0xc3, 0x0a]));
      else if (r < 0.96) say(`WARNING: colour of café \u{1F525} burn 123 ms (x) ab\r`);
      else if (r < 0.97) say(`INFO "GET /x HTTP/1.1" 503 - fabcd ${'('.repeat(200)}`);
      else say(`noise ${i} a b c d ed fail fourbar`);
    }
    const file = join(dir, 'tricky.log');
    writeFileSync(file, Buffer.concat(parts));
    const defaults = loadConfig({ env: {} }).logWatcher.errorPatterns;
    const scan = (patterns: readonly string[], needles: string[] | null) => {
      const matcher = { ...compileMatcher(patterns, ['GET /(api/webhooks/)?health']), needles };
      const findings: Finding[] = [];
      const collector = createFindingCollector('tricky.log', matcher, (f) => findings.push(f));
      const fd = openSync(file, 'r');
      try {
        const size = Buffer.concat(parts).length;
        const sink = { push: (l: { text: string; truncated: boolean; bytes: number }) => collector.push(l.text, l.truncated ? ` … (${l.bytes} bytes)` : ''), wantsNext: collector.wantsNext };
        const result = readLineBlocks(fd, { offset: 0, limit: size, maxLineBytes: MAX_LINE_BYTES }, candidateLines(needles, CONTEXT_BEFORE, MAX_LINE_BYTES, sink));
        collector.end();
        assert.equal(result.offset, size);
      } finally {
        closeSync(fd);
      }
      return findings;
    };
    // The default patterns (few lines hold their literals: context and skipped stretches) and the
    // tricky ones on top (short literals: most lines are candidates).
    let everyLine: Finding[] = [];
    for (const patterns of [defaults, [...defaults, ...TRICKY.filter((p) => requiredLiterals(p) !== null)]]) {
      const needles = prefilterNeedles(patterns);
      assert.ok(needles !== null && needles.length >= defaults.length - 1, JSON.stringify(needles));
      everyLine = scan(patterns, null);
      assert.ok(everyLine.length > 500, `${everyLine.length} findings`);
      assert.deepEqual(scan(patterns, needles), everyLine, `seed ${random.seed}, patterns ${JSON.stringify(patterns)}`);
    }
    assert.ok(!everyLine.some((f) => f.line.includes('beyond the head')), 'a line is matched by its first 4 KiB only');
    assert.ok(everyLine.some((f) => /^ERROR at the head of a very long line z+ … \(\d+ bytes\)$/.test(f.line) && f.line.length < MAX_LINE_BYTES + 100), 'a long line is shown by its head and its length');
  });
});
