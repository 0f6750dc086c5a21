import type { CmuxConfig } from '../../core/src/config/index.js';
import type { HistoryStore } from '../../core/src/history/index.js';
import { agentOf, appendMessage, summarise, type MailboxMessage } from '../../core/src/mailbox/index.js';

const PROMPTS_LOOKED_AT = 50;

// At the end of an agent's turn (Claude Code's Stop hook), its last answer `reply` becomes a
// message from the agent to whoever sent the prompt it answered — the latest message typed into it —
// when that is the user or an agent; an answer to cmux's daemons or a webhook, or to something
// typed in its terminal, goes to the user (a daemon takes no messages, and an answer to an
// alert must not raise another alert). Nothing when it said nothing.
export async function storeReply(config: CmuxConfig, history: HistoryStore, agent: string, reply: string): Promise<MailboxMessage | null> {
  const text = reply.trim();
  if (text === '') return null;
  const prompt = history
    .page({ agent, limit: PROMPTS_LOOKED_AT })
    .find((m) => agentOf(m.to)?.name === agent && !m.replyTo && (m.status === 'delivered' || m.status === 'delivering'));
  const sender = prompt?.from ?? 'user';
  return appendMessage(config.home, {
    from: agent,
    to: sender === 'user' || agentOf(sender) ? sender : 'user',
    subject: summarise(text),
    body: text,
    ...(prompt ? { replyTo: prompt.id } : {}),
  });
}
