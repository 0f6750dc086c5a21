import { randomUUID } from 'node:crypto';
import { CmuxError } from '../errors/index.js';
import { appendToHomeFile } from '../fs/index.js';
import { writeAttachment } from '../journal/index.js';
import { withFileLock } from '../lock/index.js';
import { homePaths } from '../paths/index.js';
import { MAX_INLINE_BODY_BYTES, newMessageSchema, type MailboxMessage, type NewMessage } from './schema.js';

// The one way anything writes mailbox.jsonl: checks the message, gives it an id and a time,
// moves a body over 1 MB into a journal attachment, and appends it as one complete line
// under the mailbox's cross-process lock, so no line is ever torn or interleaved (and a line
// torn by a writer that died is closed first, so it cannot swallow this one).
export async function appendMessage(home: string, input: NewMessage): Promise<MailboxMessage> {
  const parsed = newMessageSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `${issue.path.join('.') || 'message'}: ${issue.message}`);
  }
  const { from, to, subject, body, replyTo } = parsed.data;
  const message: MailboxMessage = { id: randomUUID(), ts: new Date().toISOString(), from, to, subject, ...(replyTo ? { replyTo } : {}) };
  if (body !== undefined && Buffer.byteLength(body) > MAX_INLINE_BODY_BYTES) {
    message.bodyFile = writeAttachment(home, `message-${message.id.slice(0, 8)}`, 'md', body);
  } else if (body !== undefined) {
    message.body = body;
  }
  const file = homePaths(home).mailbox;
  const line = `${JSON.stringify(message)}\n`;
  await withFileLock(home, file, async () => appendToHomeFile(home, file, line));
  return message;
}
