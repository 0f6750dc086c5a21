import { lstatSync } from 'node:fs';
import { appendToHomeFile, readHomeFile, readRest, replaceHomeFile, withHomeFile } from '../core/src/fs/index.js';
import { withFileLock } from '../core/src/lock/index.js';
import type { Logger } from '../core/src/log/index.js';
import { appendMessage } from '../core/src/mailbox/index.js';
import { homePaths } from '../core/src/paths/index.js';

// The part of an undeliverable line kept in the dead-letter file.
const MAX_KEPT_LINE_CHARS = 64 * 1024;
// Dead letters within this window are reported to the supervisor in one message.
const ALERT_WINDOW_MS = 2_000;
export const ROUTER_ADDRESS = 'system:router';

export interface DeadLetter {
  reason: string;
  // The original mailbox line (cut at 64 KiB; `bytes` says how long it was).
  line: string;
  bytes: number;
  id?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

// Writes dead letters to mailbox.dead.jsonl and tells the supervisor about them, a batch at a
// time. The router's own alerts are never alerted on again, so a missing supervisor cannot
// start a loop. How much of the file the supervisor has heard of is kept in
// state/dead-letters.json, so a router that dies within a batch's window has its successor
// send that batch.
export function createDeadLetters(home: string, logger: Logger) {
  const file = homePaths(home).deadLetters;
  const reportedFile = homePaths(home).deadLettersReported;
  let batch: DeadLetter[] = [];
  let timer: NodeJS.Timeout | undefined;
  // Bytes of the file the supervisor has been told about, and bytes written so far.
  let reported = 0;
  let written = 0;

  const saveReported = (bytes: number) => {
    reported = bytes;
    try {
      replaceHomeFile(home, reportedFile, JSON.stringify({ reportedBytes: bytes }));
    } catch (error) {
      // The next router may tell the supervisor again; nothing is lost.
      logger.error(`could not save how many dead letters were reported: ${(error as Error).message}`);
    }
  };

  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const upTo = written;
    const letters = batch.filter((l) => l.from !== ROUTER_ADDRESS);
    batch = [];
    if (letters.length === 0) {
      if (upTo > reported) saveReported(upTo);
      return;
    }
    const lines = letters.slice(0, 20).map((l) => `- ${l.id ? `${l.id} ` : ''}${l.from ?? '?'} → ${l.to ?? '?'}: ${l.reason}`);
    const more = letters.length > 20 ? `\n- … and ${letters.length - 20} more` : '';
    await appendMessage(home, {
      from: ROUTER_ADDRESS,
      to: 'supervisor',
      subject: `[DEAD LETTER] ${letters.length} message(s) could not be delivered`,
      body: `${lines.join('\n')}${more}\n\nThe lines are in ${file}.`,
    }).then(
      () => saveReported(Math.max(reported, upTo)),
      (error: unknown) => logger.error(`could not alert the supervisor about dead letters: ${(error as Error).message}`),
    );
  }

  return {
    // Sends the batch a previous router wrote but died before reporting. The first start
    // counts what is there as reported.
    async resume(): Promise<void> {
      written = sizeOf(file);
      let saved: number | null = null;
      try {
        saved = (JSON.parse(readHomeFile(home, reportedFile) ?? 'null') as { reportedBytes: number } | null)?.reportedBytes ?? null;
      } catch {
        // None yet, or unreadable.
      }
      if (typeof saved !== 'number' || saved < 0) return saveReported(written);
      // A file shorter than what was reported was replaced: all of it is new.
      reported = saved > written ? 0 : saved;
      if (reported === written) return;
      try {
        batch.push(...lettersAfter(home, file, reported));
      } catch (error) {
        // The router routes on; the supervisor hears of these letters once the file is fixed.
        logger.error(`could not read the dead letters to report: ${(error as Error).message}`);
        return;
      }
      await flush();
    },
    async add(letter: DeadLetter): Promise<void> {
      const record = {
        ts: new Date().toISOString(),
        reason: letter.reason,
        ...(letter.id ? { id: letter.id } : {}),
        bytes: letter.bytes,
        line: letter.line.length > MAX_KEPT_LINE_CHARS ? letter.line.slice(0, MAX_KEPT_LINE_CHARS) : letter.line,
      };
      await withFileLock(home, file, async () => {
        appendToHomeFile(home, file, `${JSON.stringify(record)}\n`);
        written = sizeOf(file);
      });
      logger.warn(`dead ${letter.id ?? '(no id)'} ${letter.from ?? '?'} -> ${letter.to ?? '?'}: ${letter.reason}`);
      batch.push(letter);
      timer ??= setTimeout(() => void flush(), ALERT_WINDOW_MS);
    },
    flush,
  };
}

export type DeadLetters = ReturnType<typeof createDeadLetters>;

function sizeOf(file: string): number {
  try {
    return lstatSync(file).size;
  } catch {
    return 0;
  }
}

// The dead letters recorded after `offset` bytes of the file, with sender and recipient where
// the original line says.
function lettersAfter(home: string, file: string, offset: number): DeadLetter[] {
  const letters: DeadLetter[] = [];
  for (const text of (withHomeFile(home, file, 'read', (fd) => readRest(fd, offset)) ?? Buffer.alloc(0)).toString('utf8').split('\n')) {
    try {
      const record = JSON.parse(text) as { reason: string; id?: string; bytes: number; line: string };
      let original: { from?: unknown; to?: unknown } = {};
      try {
        original = JSON.parse(record.line) as typeof original;
      } catch {
        // Not JSON: that is why it is here.
      }
      const address = (value: unknown) => (typeof value === 'string' ? value : undefined);
      letters.push({ reason: record.reason, line: record.line, bytes: record.bytes, id: record.id, from: address(original.from), to: address(original.to) });
    } catch {
      // An empty or torn last line.
    }
  }
  return letters;
}
