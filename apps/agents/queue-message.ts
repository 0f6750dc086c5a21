import { appendMessage, summarise, type MailboxMessage } from '../core/src/mailbox/index.js';
import type { AgentDeps } from './deps.js';
import { findAgent } from './find.js';

export interface QueuedText {
  // The agent's id; CMUX_ERR_AGENT_NOT_FOUND when no such agent is registered.
  to: string;
  // What the agent is to read, kept whole as the message's body.
  text: string;
  from?: string | undefined;
  // The subject the history shows; the text's first line when not given.
  subject?: string | undefined;
}

// The one way a message to an agent is queued (the API, the CLI, a spawn's task): into the
// mailbox, from which the router types it in, in turn with the agent's other messages.
export async function queueMessage(deps: AgentDeps, message: QueuedText): Promise<MailboxMessage> {
  const { agent } = await findAgent(deps, message.to);
  return appendMessage(deps.config.home, { from: message.from ?? 'user', to: agent.id, subject: message.subject ?? summarise(message.text), body: message.text });
}
