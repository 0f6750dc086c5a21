import { useState } from 'react';
import { counterpart, type ConversationState } from '../conversation';
import { isTo } from '../format';
import { clock } from '../format';

const STATE_TEXT: Record<string, string> = {
  queued: 'queued',
  delivering: 'being typed',
  delivered: 'delivered',
  dead: 'not delivered',
  withdrawn: 'withdrawn by its sender',
};

// One agent's conversation: what it was sent and what it sent (its stored replies too), each
// with where its delivery stands, a thread per other party to pick, and older pages on request.
export function Conversation({ agentId, conversation }: { agentId: string; conversation: ConversationState }) {
  const { messages, hasOlder, loading, error, loadOlder } = conversation;
  const [thread, setThread] = useState('');
  const parties = [...new Set(messages.map((m) => counterpart(m, agentId)))].sort();
  const shown = thread ? messages.filter((m) => counterpart(m, agentId) === thread) : messages;
  return (
    <section className="conversation" aria-label="conversation">
      <header>
        <h3>Conversation</h3>
        <select value={thread} onChange={(e) => setThread(e.target.value)} aria-label="thread">
          <option value="">everyone</option>
          {parties.map((p) => (
            <option key={p} value={p}>
              with {p}
            </option>
          ))}
        </select>
      </header>
      <ol className="conversation-list">
        {shown.map((m) => (
          <li key={m.id} className={isTo(m, agentId) ? 'to-agent' : 'from-agent'} data-message={m.id} data-state={m.status}>
            <div className="conversation-meta">
              <time>{clock(m.ts)}</time> <b>{m.from}</b> → <b>{m.to}</b>
              <span className={`delivery ${m.status}`}>{STATE_TEXT[m.status] ?? m.status}</span>
            </div>
            <MessageText text={m.body ?? m.subject} />
            {m.detail && m.status !== 'delivered' && !m.detail.startsWith('typing:') && <p className="delivery-detail">{m.detail}</p>}
          </li>
        ))}
        {shown.length === 0 && <li className="muted">no messages yet</li>}
      </ol>
      {error && <p className="error" role="alert">{error}</p>}
      <button onClick={() => void loadOlder()} disabled={!hasOlder || loading} title={hasOlder ? 'load older messages' : 'nothing older'}>
        {loading ? 'Loading…' : hasOlder ? 'Older' : 'Nothing older'}
      </button>
    </section>
  );
}

// Past this a message's text is folded behind its first line: the list stays readable, and a
// long text opens in place (no inner scroll box, which a keyboard could not reach).
const FOLD_LINES = 8;
const FOLD_CHARS = 600;

function MessageText({ text }: { text: string }) {
  const lines = text.split('\n');
  if (lines.length <= FOLD_LINES && text.length <= FOLD_CHARS) return <div className="conversation-text">{text}</div>;
  return (
    <details className="conversation-text">
      <summary>
        {lines[0]!.slice(0, 120)} … ({lines.length} lines)
      </summary>
      {text}
    </details>
  );
}
