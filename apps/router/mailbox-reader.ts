import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_LINE_BYTES } from '../core/src/index.js';

// Where the router is in the mailbox: the file's inode (a replaced file has a new one) and the
// byte offset just past the last complete line it took.
export interface MailboxCursor {
  inode: number;
  offset: number;
  // Set while the reader is inside a line too long to keep: where it began and its head.
  skip?: { start: number; head: string } | undefined;
}

export type MailboxLine =
  | { kind: 'line'; text: string; end: number }
  | { kind: 'oversized'; bytes: number; head: string; end: number };

export interface ReadResult {
  lines: MailboxLine[];
  cursor: MailboxCursor;
  // Why the cursor went back to the start of the file, if it did.
  reset?: 'replaced' | 'truncated';
}

const CHUNK_BYTES = 256 * 1024;
// One read takes at most this much, so a huge backlog is worked through in bounded memory.
const MAX_READ_BYTES = 16 * 1024 * 1024;
const HEAD_BYTES = 4 * 1024;

// Reads the complete lines after the cursor. A partial last line is left for the next read;
// a line longer than MAX_LINE_BYTES is skipped in pieces and reported as oversized.
export function readNewLines(file: string, cursor: MailboxCursor): ReadResult {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], cursor };
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    let reset: ReadResult['reset'];
    let offset = cursor.offset;
    let skip = cursor.skip;
    if (cursor.inode !== 0 && stat.ino !== cursor.inode) reset = 'replaced';
    else if (stat.size < cursor.offset) reset = 'truncated';
    if (reset) {
      offset = 0;
      skip = undefined;
    }

    const lines: MailboxLine[] = [];
    let pending: Buffer[] = skip ? [Buffer.from(skip.head)] : [];
    let pendingBytes = skip ? pending[0]!.length : 0;
    let lineStart = skip ? skip.start : offset;
    let oversized = skip !== undefined;
    let position = offset;
    const limit = Math.min(stat.size, offset + MAX_READ_BYTES);
    const chunk = Buffer.alloc(CHUNK_BYTES);
    while (position < limit) {
      const read = readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, limit - position), position);
      if (read <= 0) break;
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, start);
        if (newline === -1 || newline >= read) break;
        const end = position + newline + 1;
        const piece = chunk.subarray(start, newline);
        if (oversized || pendingBytes + piece.length > MAX_LINE_BYTES) {
          const head = Buffer.concat([...pending, piece]).subarray(0, HEAD_BYTES).toString('utf8');
          lines.push({ kind: 'oversized', bytes: end - 1 - lineStart, head, end });
        } else {
          lines.push({ kind: 'line', text: Buffer.concat([...pending, piece]).toString('utf8'), end });
        }
        pending = [];
        pendingBytes = 0;
        oversized = false;
        lineStart = end;
        start = newline + 1;
      }
      const rest = chunk.subarray(start, read);
      if (!oversized && pendingBytes + rest.length > MAX_LINE_BYTES) {
        // Keep only the head of a line that is already too long; the rest is skipped.
        oversized = true;
        const head = Buffer.concat([...pending, rest]).subarray(0, HEAD_BYTES);
        pending = [Buffer.from(head)];
        pendingBytes = head.length;
      } else if (!oversized) {
        pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
      }
      position += read;
    }
    const last = lines.at(-1);
    // Inside an oversized line at the end of this read: move past what was read of it, so a
    // line larger than one read still makes progress.
    const next: MailboxCursor = oversized
      ? { inode: stat.ino, offset: position, skip: { start: lineStart, head: Buffer.concat(pending).toString('utf8') } }
      : { inode: stat.ino, offset: last ? last.end : offset };
    return { lines, cursor: next, ...(reset ? { reset } : {}) };
  } finally {
    closeSync(fd);
  }
}
