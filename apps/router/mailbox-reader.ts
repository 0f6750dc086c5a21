import { fstatSync } from 'node:fs';
import { scanLines, withHomeFile, type LongLine } from '../core/src/fs/index.js';
import { MAX_LINE_BYTES } from '../core/src/mailbox/index.js';

// Where the router is in the mailbox: the file's inode (a replaced file has a new one) and the
// byte offset just past the last complete line it took.
export interface MailboxCursor {
  inode: number;
  offset: number;
  // Set while the reader is inside a line too long to keep.
  skip?: LongLine | undefined;
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

// One read takes at most this much, so a huge backlog is worked through in bounded memory.
const MAX_READ_BYTES = 16 * 1024 * 1024;

// Reads the complete lines of the mailbox `file` under `home` after the cursor. A partial last
// line is left for the next read; a line longer than MAX_LINE_BYTES is skipped in pieces and
// reported as oversized.
export function readNewLines(home: string, file: string, cursor: MailboxCursor): ReadResult {
  const read = withHomeFile(home, file, 'read', (fd): ReadResult => {
    const stat = fstatSync(fd);
    let reset: ReadResult['reset'];
    if (cursor.inode !== 0 && stat.ino !== cursor.inode) reset = 'replaced';
    else if (stat.size < cursor.offset) reset = 'truncated';
    const offset = reset ? 0 : cursor.offset;
    const lines: MailboxLine[] = [];
    const scanned = scanLines(
      fd,
      { offset, limit: Math.min(stat.size, offset + MAX_READ_BYTES), maxLineBytes: MAX_LINE_BYTES, long: reset ? undefined : cursor.skip },
      (line) =>
        lines.push(line.truncated ? { kind: 'oversized', bytes: line.bytes, head: line.text, end: line.end } : { kind: 'line', text: line.text, end: line.end }),
    );
    return { lines, cursor: { inode: stat.ino, offset: scanned.offset, ...(scanned.long ? { skip: scanned.long } : {}) }, ...(reset ? { reset } : {}) };
  });
  return read ?? { lines: [], cursor };
}
