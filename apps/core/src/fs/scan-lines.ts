import { readSync } from 'node:fs';

const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

// A line too long to keep whole, being skipped: where it began and its first bytes.
export interface LongLine {
  start: number;
  head: string;
}

export interface ScannedLine {
  // The line without its newline, or only its head when it was longer than maxLineBytes.
  text: string;
  bytes: number;
  truncated: boolean;
  // The offset just past its newline.
  end: number;
}

export interface ScanResult {
  // The offset just past the last complete line, or (while inside a long line) past what was read.
  offset: number;
  long?: LongLine | undefined;
}

export interface ScanOptions {
  offset: number;
  limit: number;
  maxLineBytes: number;
  headBytes?: number;
  long?: LongLine | undefined;
}

// What a reader of line blocks is handed, in file order.
export interface LineBlocks {
  // Whole lines, each ending in a newline; `at` is the file offset of block[0]. The bytes are
  // reused for the next block: take what is needed before returning. A line in it may be longer
  // than maxLineBytes (lineAt cuts it).
  lines(block: Buffer, at: number): void;
  // A line longer than maxLineBytes that did not arrive in one block, by its head.
  long(line: ScannedLine): void;
}

const headOf = (opts: Pick<ScanOptions, 'headBytes'>) => opts.headBytes ?? 4 * 1024;

// Reads the complete lines of an open file from `offset` up to `limit` in blocks, so memory
// stays bounded whatever the file's size. A partial last line is left for the next call; a
// line longer than `maxLineBytes` is kept by its head only, and one that does not end before
// `limit` is carried over as `long`.
export function readLineBlocks(fd: number, opts: ScanOptions, sink: LineBlocks): ScanResult {
  const headBytes = headOf(opts);
  // A few new lines (the common case) need a few bytes, not a whole chunk.
  let buffer = Buffer.alloc(Math.max(1, Math.min(CHUNK_BYTES, opts.limit - opts.offset)));
  // buffer[0, held) is the start of a line that has not ended yet; it begins at file offset `at`.
  let held = 0;
  let at = opts.offset;
  let position = opts.offset;
  let long = opts.long ? { start: opts.long.start, head: Buffer.from(opts.long.head) } : null;
  while (position < opts.limit) {
    if (held === buffer.length) buffer = Buffer.concat([buffer, Buffer.alloc(CHUNK_BYTES)]);
    const read = readSync(fd, buffer, held, Math.min(buffer.length - held, opts.limit - position), position);
    if (read <= 0) break;
    position += read;
    const filled = held + read;
    let from = 0;
    if (long) {
      const newline = buffer.indexOf(NEWLINE, 0);
      if (newline === -1 || newline >= filled) {
        at = position;
        continue;
      }
      const end = at + newline + 1;
      sink.long({ text: long.head.toString('utf8'), bytes: end - 1 - long.start, truncated: true, end });
      long = null;
      from = newline + 1;
    }
    const last = buffer.lastIndexOf(NEWLINE, filled - 1);
    if (last >= from) {
      sink.lines(buffer.subarray(from, last + 1), at + from);
      from = last + 1;
    }
    if (filled - from > opts.maxLineBytes) {
      long = { start: at + from, head: Buffer.from(buffer.subarray(from, from + headBytes)) };
      held = 0;
      at = position;
    } else {
      buffer.copyWithin(0, from, filled);
      held = filled - from;
      at += from;
    }
  }
  return long ? { offset: position, long: { start: long.start, head: long.head.toString('utf8') } } : { offset: at };
}

// The line of `block` (from readLineBlocks) that starts at `start` and ends at the newline at
// `newline`: decoded whole, or by its head when it is longer than maxLineBytes.
export function lineAt(block: Buffer, start: number, newline: number, at: number, opts: Pick<ScanOptions, 'maxLineBytes' | 'headBytes'>): ScannedLine {
  const bytes = newline - start;
  const truncated = bytes > opts.maxLineBytes;
  return { text: block.toString('utf8', start, truncated ? start + headOf(opts) : newline), bytes, truncated, end: at + newline + 1 };
}

// readLineBlocks, line by line.
export function scanLines(fd: number, opts: ScanOptions, onLine: (line: ScannedLine) => void): ScanResult {
  return readLineBlocks(fd, opts, {
    lines(block, at) {
      for (let start = 0; start < block.length; ) {
        const newline = block.indexOf(NEWLINE, start);
        onLine(lineAt(block, start, newline, at, opts));
        start = newline + 1;
      }
    },
    long: onLine,
  });
}
