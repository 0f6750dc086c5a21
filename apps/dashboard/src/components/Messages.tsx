import { useState } from 'react';
import { api, type Message } from '../api';
import { clock } from '../format';

// The whole conversation, newest first, paged from the history; new ones arrive live.
export function Messages({ messages, onOlder }: { messages: Message[]; onOlder: (older: Message[]) => void }) {
  const [loading, setLoading] = useState(false);
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
        disabled={loading || messages.length === 0}
        onClick={async () => {
          setLoading(true);
          try {
            onOlder(await api.messages(undefined, messages.at(-1)?.seq));
          } finally {
            setLoading(false);
          }
        }}
      >
        Older
      </button>
    </section>
  );
}
