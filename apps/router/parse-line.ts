import { localiseMessage, mailboxMessageSchema, type MailboxMessage } from '../core/src/mailbox/index.js';

// A mailbox line as a message (its addresses as this host keeps them), or the reason it is not one.
export function parseLine(text: string, self: string | null): MailboxMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const parsed = mailboxMessageSchema.safeParse(value);
  if (parsed.success) return self ? localiseMessage(parsed.data, self) : parsed.data;
  const issue = parsed.error.issues[0]!;
  return `not a message: ${issue.path.join('.') || 'line'}: ${issue.message}`;
}
