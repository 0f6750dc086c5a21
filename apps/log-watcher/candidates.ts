import { lineAt, type LineBlocks, type ScannedLine } from '../core/src/fs/index.js';

const NEWLINE = 0x0a;
// How much of the first block is counted to learn which bytes are rare in this log.
const SAMPLE_BYTES = 64 * 1024;
// A search key shorter than this finds too much, unless the literal itself is shorter.
const MIN_KEY_BYTES = 3;

// What the scan feeds lines to: the finding collector.
export interface LineSink {
  push(line: ScannedLine): void;
  // Whether the next line is wanted whatever it holds (a finding is open and may go on). When
  // not, lines may be left out, and the next line pushed comes after its `context` lines.
  wantsNext(): boolean;
}

// The part of a literal to look for: its bytes from the rarest one in this log on (the search
// skips ahead to each occurrence of a key's first byte, so a common one makes it stop often).
// Any part of a literal is found wherever the literal is, so the choice costs speed, never a line.
function searchKey(literal: string, counts: Uint32Array): Buffer {
  const bytes = Buffer.from(literal);
  const lastStart = Math.max(0, bytes.length - MIN_KEY_BYTES);
  let start = 0;
  for (let i = 1; i <= lastStart; i++) if (counts[bytes[i]!]! < counts[bytes[start]!]!) start = i;
  return bytes.subarray(start);
}

// The line blocks of one log as the finding collector needs them: only the lines that hold one
// of `needles` (the literals a pattern cannot match without; null: every line), each with the
// `context` lines before it, and the lines an open finding asks for. The other lines are never
// decoded; those decoded are cut at `maxLineBytes`, as readLineBlocks cuts them.
export function candidateLines(needles: readonly string[] | null, context: number, maxLineBytes: number, sink: LineSink): LineBlocks {
  let keys: Buffer[] | null = null;
  return {
    long: (text) => sink.push(text),
    lines(block, at) {
      const push = (start: number) => {
        const newline = block.indexOf(NEWLINE, start);
        sink.push(lineAt(block, start, newline, at, { maxLineBytes }));
        return newline + 1;
      };
      if (needles === null) {
        for (let pos = 0; pos < block.length; ) pos = push(pos);
        return;
      }
      if (keys === null) {
        const counts = new Uint32Array(256);
        for (let i = 0, n = Math.min(block.length, SAMPLE_BYTES); i < n; i++) counts[block[i]!]! += 1;
        keys = needles.map((n) => searchKey(n, counts));
      }
      const next = keys.map(() => -1);
      let pos = 0;
      while (pos < block.length) {
        if (sink.wantsNext()) {
          pos = push(pos);
          continue;
        }
        let hit = block.length;
        for (let i = 0; i < keys.length; i++) {
          if (next[i]! < pos) {
            const found = block.indexOf(keys[i]!, pos);
            next[i] = found === -1 ? block.length : found;
          }
          hit = Math.min(hit, next[i]!);
        }
        // The line the hit is in (or the block's end), and the context lines before it.
        const candidate = hit === block.length ? block.length : Math.max(pos, lineStart(block, hit));
        let from = candidate;
        for (let n = 0; n < context && from > pos; n++) from = Math.max(pos, lineStart(block, from - 1));
        for (pos = from; pos < candidate; ) pos = push(pos);
        if (candidate < block.length) pos = push(candidate);
      }
    },
  };
}

// Where the line holding block[i] starts.
function lineStart(block: Buffer, i: number): number {
  return i <= 0 ? 0 : block.lastIndexOf(NEWLINE, i - 1) + 1;
}
