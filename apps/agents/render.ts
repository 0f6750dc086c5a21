import type { MailboxMessage } from '../core/src/mailbox/index.js';

// The one sender-tag rule: the user's words arrive as they were written; anyone else's arrive
// under a `[sender]` tag, so the agent knows who speaks and never runs them as a slash command
// (or a shell escape) of its own.
export function tagged(text: string, from: string): string {
  return from === 'user' ? text : `[${from}] ${text}`;
}

// The text typed into an agent for a message: its body (or subject) under its sender's tag.
// A body too large to type is pointed at.
export function renderForAgent(message: MailboxMessage): string {
  const pointer = message.bodyFile ? `(The full message is in ${message.bodyFile}.)` : null;
  if (message.from === 'user') return message.body ?? (pointer ? `${message.subject}\n\n${pointer}` : message.subject);
  const rest = message.body ?? pointer;
  const head = tagged(message.subject, message.from);
  return rest === null || rest === message.subject ? head : `${head}\n\n${rest}`;
}
