import { readSync } from 'node:fs';

const CHUNK_BYTES = 256 * 1024;

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

// Reads the complete lines of an open file from `offset` up to `limit` in chunks, so memory
// stays bounded whatever the file's size. A partial last line is left for the next call; a
// line longer than `maxLineBytes` is reported by its head and length, and one that does not
// end before `limit` is carried over as `long`.
export function scanLines(
  fd: number,
  opts: { offset: number; limit: number; maxLineBytes: number; headBytes?: number; long?: LongLine | undefined },
  onLine: (line: ScannedLine) => void,
): ScanResult {
  const headBytes = opts.headBytes ?? 4 * 1024;
  let pending: Buffer[] = opts.long ? [Buffer.from(opts.long.head)] : [];
  let pendingBytes = pending[0]?.length ?? 0;
  let lineStart = opts.long ? opts.long.start : opts.offset;
  let long = opts.long !== undefined;
  let lastEnd = opts.offset;
  let position = opts.offset;
  // A few new lines (the common case) need a few bytes, not a whole chunk.
  const chunk = Buffer.alloc(Math.max(1, Math.min(CHUNK_BYTES, opts.limit - opts.offset)));
  while (position < opts.limit) {
    const read = readSync(fd, chunk, 0, Math.min(chunk.length, opts.limit - position), position);
    if (read <= 0) break;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1 || newline >= read) break;
      const end = position + newline + 1;
      const piece = chunk.subarray(start, newline);
      const truncated = long || pendingBytes + piece.length > opts.maxLineBytes;
      // Most lines lie whole inside the chunk: decode them in place, without a copy.
      const whole = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      onLine({ text: (truncated ? whole.subarray(0, headBytes) : whole).toString('utf8'), bytes: end - 1 - lineStart, truncated, end });
      pending = [];
      pendingBytes = 0;
      long = false;
      lineStart = end;
      lastEnd = end;
      start = newline + 1;
    }
    const rest = chunk.subarray(start, read);
    if (!long && pendingBytes + rest.length > opts.maxLineBytes) {
      long = true;
      const head = Buffer.concat([...pending, rest]).subarray(0, headBytes);
      pending = [Buffer.from(head)];
      pendingBytes = head.length;
    } else if (!long) {
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
    position += read;
  }
  return long ? { offset: position, long: { start: lineStart, head: Buffer.concat(pending).toString('utf8') } } : { offset: lastEnd };
}
