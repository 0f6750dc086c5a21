import type { MailboxMessage } from '../core/src/index.js';

// The text typed into an agent for a message. The user's words arrive as they were written;
// anyone else's arrive under a `[sender]` tag, so the agent knows who speaks and never runs
// them as a slash command. A body too large to type is pointed at.
export function renderForAgent(message: MailboxMessage): string {
  const pointer = message.bodyFile ? `(The full message is in ${message.bodyFile}.)` : null;
  if (message.from === 'user') return message.body ?? (pointer ? `${message.subject}\n\n${pointer}` : message.subject);
  const head = `[${message.from}] ${message.subject}`;
  const rest = message.body ?? pointer;
  return rest === null || rest === message.subject ? head : `${head}\n\n${rest}`;
}
