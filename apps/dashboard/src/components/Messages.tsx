import { useState } from 'react';
import { api, MESSAGE_PAGE, type Message } from '../api';
import { clock } from '../format';

// The whole conversation, newest first, paged from the history; new ones arrive live.
export function Messages({ messages, onOlder }: { messages: Message[]; onOlder: (older: Message[]) => void }) {
  const [loading, setLoading] = useState(false);
  // Live frames carry no seq; only stored messages page. Until "Older" came back short, a
  // full first page says there may be more.
  const stored = messages.filter((m) => typeof m.seq === 'number');
  const [atEnd, setAtEnd] = useState<boolean | null>(null);
  const hasOlder = atEnd === null ? stored.length >= MESSAGE_PAGE : !atEnd;
  return (
    <section className="messages-view">
      <h2>Messages</h2>
      <ul className="messages">
        {messages.map((m) => (
          <li key={m.id} className={m.status === 'dead' ? 'dead' : ''}>
            <time>{clock(m.ts)}</time> <b>{m.from}</b> → <b>{m.to}</b>: {m.subject}
            {m.body && m.body !== m.subject && <pre>{m.body.slice(0, 2000)}</pre>}
          </li>
        ))}
      </ul>
      <button
        disabled={loading || !hasOlder}
        onClick={async () => {
          setLoading(true);
          try {
            const older = await api.messages(undefined, Math.min(...stored.map((m) => m.seq)));
            setAtEnd(older.length < MESSAGE_PAGE);
            onOlder(older);
          } finally {
            setLoading(false);
          }
        }}
      >
        {hasOlder ? 'Older' : 'Nothing older'}
      </button>
    </section>
  );
}
