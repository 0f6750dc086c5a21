import { appendMessage, appendToHomeFile, homePaths, withFileLock, type Logger } from '../core/src/index.js';

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
// start a loop.
export function createDeadLetters(home: string, logger: Logger) {
  const file = homePaths(home).deadLetters;
  let batch: DeadLetter[] = [];
  let timer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const letters = batch.filter((l) => l.from !== ROUTER_ADDRESS);
    batch = [];
    if (letters.length === 0) return;
    const lines = letters.slice(0, 20).map((l) => `- ${l.id ? `${l.id} ` : ''}${l.from ?? '?'} → ${l.to ?? '?'}: ${l.reason}`);
    const more = letters.length > 20 ? `\n- … and ${letters.length - 20} more` : '';
    await appendMessage(home, {
      from: ROUTER_ADDRESS,
      to: 'supervisor',
      subject: `[DEAD LETTER] ${letters.length} message(s) could not be delivered`,
      body: `${lines.join('\n')}${more}\n\nThe lines are in ${file}.`,
    }).catch((error: unknown) => logger.error(`could not alert the supervisor about dead letters: ${(error as Error).message}`));
  }

  return {
    async add(letter: DeadLetter): Promise<void> {
      const record = {
        ts: new Date().toISOString(),
        reason: letter.reason,
        ...(letter.id ? { id: letter.id } : {}),
        bytes: letter.bytes,
        line: letter.line.length > MAX_KEPT_LINE_CHARS ? letter.line.slice(0, MAX_KEPT_LINE_CHARS) : letter.line,
      };
      await withFileLock(file, async () => appendToHomeFile(home, file, `${JSON.stringify(record)}\n`));
      logger.warn(`dead ${letter.id ?? '(no id)'} ${letter.from ?? '?'} -> ${letter.to ?? '?'}: ${letter.reason}`);
      batch.push(letter);
      timer ??= setTimeout(() => void flush(), ALERT_WINDOW_MS);
    },
    flush,
  };
}

export type DeadLetters = ReturnType<typeof createDeadLetters>;
