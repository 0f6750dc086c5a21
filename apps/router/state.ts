import * as z from 'zod';
import { readHomeFile, replaceHomeFile } from '../core/src/fs/index.js';
import type { Logger } from '../core/src/log/index.js';
import { homePaths } from '../core/src/paths/index.js';
import type { MailboxCursor } from './mailbox-reader.js';

const cursorSchema = z.object({
  inode: z.number().int().min(0),
  offset: z.number().int().min(0),
  skip: z.object({ start: z.number().int().min(0), head: z.string() }).optional(),
});

// Who reads the mailbox from a cursor of its own: the router, and a cluster member's forwarder.
type Reader = 'router' | 'forwarder';

function cursorFile(home: string, reader: Reader): string {
  const paths = homePaths(home);
  return reader === 'router' ? paths.routerState : paths.forwarderState;
}

// The saved cursor; `fallback` when there is none, the start of the file when it cannot be read
// (the history's ids make re-reading harmless).
export function loadCursor(home: string, logger: Logger, reader: Reader = 'router', fallback: MailboxCursor = { inode: 0, offset: 0 }): MailboxCursor {
  try {
    const text = readHomeFile(home, cursorFile(home, reader));
    if (text === null) return fallback;
    return cursorSchema.parse(JSON.parse(text));
  } catch (error) {
    logger.warn(`the ${reader} cursor ${cursorFile(home, reader)} is unreadable; reading the mailbox from the start`, { error });
  }
  return { inode: 0, offset: 0 };
}

// Saves the cursor atomically.
export function saveCursor(home: string, cursor: MailboxCursor, reader: Reader = 'router'): void {
  replaceHomeFile(home, cursorFile(home, reader), JSON.stringify(cursor));
}
