import { useCallback, useEffect, useRef, useState } from 'react';
import { useFreshNotice } from './fresh';
import { api, MESSAGE_PAGE, type Message } from './api';
import { isTo } from './format';

// Newest first, each message once (a fresher copy replaces an older one: its status moved on).
function merge(fresh: Message[], kept: Message[]): Message[] {
  const byId = new Map(kept.map((m) => [m.id, m]));
  for (const m of fresh) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => b.seq - a.seq);
}

const READ_DELAY_MS = 100;
// Pages read at most to close the gap between what is shown and the newest page.
const MAX_FILL_PAGES = 20;

// The newest page, and, when it does not reach back to `newest` (the newest shown; a burst came
// between two reads), the pages before it until it does. `gap`: it still did not, so what is
// shown should start over from these; `short`: the last page read was the first message's.
async function readNewest(agentId: string, newest: number | undefined, limit: number): Promise<{ fresh: Message[]; gap: boolean; short: boolean }> {
  let page = await api.messages(agentId, undefined, limit);
  const fresh = [...page];
  const behind = () => newest !== undefined && page.length === limit && page.at(-1)!.seq > newest;
  for (let i = 0; behind() && i < MAX_FILL_PAGES; i++) {
    page = await api.messages(agentId, page.at(-1)!.seq, limit);
    fresh.push(...page);
  }
  return { fresh, gap: behind(), short: page.length < limit };
}

// One agent's messages from the history: the newest page, read again whenever `tick` moves (a
// message or a delivery status arrived), and older pages on request until there are none.
export function useConversation(agentId: string, tick: number, limit = MESSAGE_PAGE) {
  const [messages, setMessages] = useState<Message[]>([]);
  const shown = useRef(messages);
  shown.current = messages;
  // Whether the oldest message is loaded: known once a page comes back short.
  const [atEnd, setAtEnd] = useState<boolean | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useFreshNotice();

  useEffect(() => {
    let stale = false;
    // A burst of frames makes one read, not one each.
    const timer = window.setTimeout(() => {
      readNewest(agentId, shown.current[0]?.seq, limit).then(
        ({ fresh, gap, short }) => {
          if (stale) return;
          setMessages(gap ? fresh : merge(fresh, shown.current));
          // Newer messages never make older ones appear: once reached, the end stays (unless a gap).
          setAtEnd((known) => (known === true && !gap) || short);
          setError('');
        },
        (err: Error) => !stale && setError(err.message),
      );
    }, READ_DELAY_MS);
    return () => {
      stale = true;
      window.clearTimeout(timer);
    };
  }, [agentId, tick, limit]);

  const loadOlder = useCallback(async () => {
    const oldest = messages.at(-1)?.seq;
    if (oldest === undefined) return;
    setLoading(true);
    try {
      const page = await api.messages(agentId, oldest, limit);
      setMessages((kept) => merge(page, kept));
      setAtEnd(page.length < limit);
      setError('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoading(false);
    }
  }, [agentId, messages, limit]);

  return { messages, hasOlder: atEnd === false, loading, error, loadOlder };
}

export type ConversationState = ReturnType<typeof useConversation>;

// The other side of a message in the agent's conversation.
export function counterpart(message: Message, agentId: string): string {
  return isTo(message, agentId) ? message.from : message.to;
}
