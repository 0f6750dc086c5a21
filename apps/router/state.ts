import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../core/src/fs/index.js';
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
  return join(homePaths(home).state, `${reader}.json`);
}

// The saved cursor; `fallback` (the start of the file) when there is none or it cannot be read
// (the history's ids make re-reading harmless).
export function loadCursor(home: string, logger: Logger, reader: Reader = 'router', fallback: MailboxCursor = { inode: 0, offset: 0 }): MailboxCursor {
  try {
    return cursorSchema.parse(JSON.parse(readFileSync(cursorFile(home, reader), 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.warn(`the ${reader} cursor ${cursorFile(home, reader)} is unreadable; reading the mailbox from the start`, { error });
      return { inode: 0, offset: 0 };
    }
    return fallback;
  }
}

// Saves the cursor atomically.
export function saveCursor(home: string, cursor: MailboxCursor, reader: Reader = 'router'): void {
  writeFileAtomic(cursorFile(home, reader), JSON.stringify(cursor));
}
