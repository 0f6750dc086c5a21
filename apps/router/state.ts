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

function cursorFile(home: string): string {
  return homePaths(home).routerState;
}

// The saved cursor; the start of the file when there is none or it cannot be read (the
// history's ids make re-reading harmless).
export function loadCursor(home: string, logger: Logger): MailboxCursor {
  try {
    const text = readHomeFile(home, cursorFile(home));
    if (text !== null) return cursorSchema.parse(JSON.parse(text));
  } catch (error) {
    logger.warn(`the router cursor ${cursorFile(home)} is unreadable; reading the mailbox from the start`, { error });
  }
  return { inode: 0, offset: 0 };
}

// Saves the cursor atomically.
export function saveCursor(home: string, cursor: MailboxCursor): void {
  replaceHomeFile(home, cursorFile(home), JSON.stringify(cursor));
}
