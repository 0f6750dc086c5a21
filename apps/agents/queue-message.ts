import { appendMessage, summarise, type MailboxMessage } from '../core/src/mailbox/index.js';
import type { AgentDeps } from './deps.js';
import { assertKnownRemote, findAgent, splitHost } from './find.js';

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
// mailbox, from which the router types it in, in turn with the agent's other messages. An agent
// of another host (w1@b) is reached the same way: the router carries it there.
export async function queueMessage(deps: AgentDeps, message: QueuedText): Promise<MailboxMessage> {
  let to = message.to;
  if (splitHost(deps.config, to).host) assertKnownRemote(deps.config, to);
  else to = (await findAgent(deps, splitHost(deps.config, to).id)).agent.id;
  return appendMessage(deps.config.home, { from: message.from ?? 'user', to, subject: message.subject ?? summarise(message.text), body: message.text });
}
