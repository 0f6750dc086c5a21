import { useEffect, useRef, useState } from 'react';
import { api, DELIVERY_STATES, MESSAGE_PAGE, type Message, type MessageFilter } from '../api';
import { clock } from '../format';

// The filters the address may hold (`#/messages?agent=w1&direction=in`), and `at`: a message to
// show marked and focused (a search hit opened here).
export type MessagesQuery = Readonly<Record<string, string>>;

// How many pages back a marked message is looked for.
const SEEK_PAGES = 10;

// The whole conversation, newest first, paged from the history with the filters the address
// holds; read again when a message arrives or moves (`mailTick`).
export function Messages({ query, agents, projects, project, mailTick, onQuery }: {
  query: MessagesQuery;
  agents: readonly string[];
  projects: readonly string[];
  // The header's project, when the address names none.
  project: string;
  mailTick: number;
  onQuery: (next: Record<string, string>) => void;
}) {
  const filter: MessageFilter = {
    ...(query.agent ? { agent: query.agent } : {}),
    ...((query.project ?? project) ? { project: query.project ?? project } : {}),
    ...(query.direction === 'in' || query.direction === 'out' ? { direction: query.direction } : {}),
    ...(query.status ? { status: query.status } : {}),
  };
  const key = JSON.stringify(filter);
  // The messages shown and the filter they were read with: a new filter starts from its first
  // page; a new message only adds to the top of what was paged in already.
  const [shown, setShown] = useState<{ key: string; messages: Message[]; atEnd: boolean } | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    let stale = false;
    api.messagePage(filter).then(
      (page) => {
        if (stale) return;
        const oldest = Math.min(...page.map((p) => p.seq));
        setShown((before) =>
          before?.key === key ? { ...before, messages: [...page, ...before.messages.filter((m) => m.seq < oldest)] } : { key, messages: page, atEnd: page.length < MESSAGE_PAGE },
        );
        setError('');
      },
      (e: Error) => !stale && setError(e.message),
    );
    return () => {
      stale = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, mailTick]);
  const loaded = shown?.key === key;
  const messages = loaded ? shown.messages : [];
  const atEnd = loaded ? shown.atEnd : true;
  const olderPage = async () => {
    setLoading(true);
    try {
      const older = await api.messagePage(filter, Math.min(...messages.map((m) => m.seq)));
      setShown((before) => (before && before.key === key ? { key, messages: [...before.messages, ...older.filter((o) => !before.messages.some((m) => m.id === o.id))], atEnd: older.length < MESSAGE_PAGE } : before));
    } finally {
      setLoading(false);
    }
  };
  // The message to mark may be older than the first page: pages back to it, a few at most.
  const found = messages.some((m) => m.id === query.at);
  useEffect(() => {
    if (query.at && loaded && !found && !atEnd && !loading && messages.length < MESSAGE_PAGE * SEEK_PAGES) void olderPage();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query.at, loaded, found, atEnd, loading, messages.length]);
  const marked = useRef<HTMLLIElement>(null);
  useEffect(() => {
    marked.current?.scrollIntoView({ block: 'center' });
    marked.current?.focus();
  }, [query.at, found]);

  const set = (name: string, value: string) => onQuery({ ...query, at: '', [name]: value });
  return (
    <section className="messages-view">
      <h2>Messages</h2>
      <form className="message-filters" aria-label="filter messages" onSubmit={(e) => e.preventDefault()}>
        <label>
          agent{' '}
          <select value={query.agent ?? ''} onChange={(e) => set('agent', e.target.value)}>
            <option value="">any</option>
            <option value="user">user (you)</option>
            {agents.map((a) => (
              <option key={a}>{a}</option>
            ))}
            {query.agent && query.agent !== 'user' && !agents.includes(query.agent) && <option>{query.agent}</option>}
          </select>
        </label>
        {projects.length > 1 && (
          <label>
            project{' '}
            <select value={query.project ?? project} onChange={(e) => set('project', e.target.value)}>
              <option value="">any</option>
              {projects.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
        )}
        <label>
          direction{' '}
          <select value={query.direction ?? ''} onChange={(e) => set('direction', e.target.value)}>
            <option value="">both</option>
            <option value="in">{query.agent ? `to ${query.agent}` : 'to you'}</option>
            <option value="out">{query.agent ? `from ${query.agent}` : 'from you'}</option>
          </select>
        </label>
        <label>
          delivery{' '}
          <select value={query.status ?? ''} onChange={(e) => set('status', e.target.value)}>
            <option value="">any</option>
            {DELIVERY_STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {loaded && messages.length === 0 && <p className="muted">No message matches these filters.</p>}
      <ul className="messages">
        {messages.map((m) => (
          <li key={m.id} data-message-id={m.id} data-state={m.status} className={[m.status === 'dead' ? 'dead' : '', m.id === query.at ? 'marked' : ''].join(' ').trim() || undefined} ref={m.id === query.at ? marked : undefined} tabIndex={m.id === query.at ? -1 : undefined}>
            <time>{clock(m.ts)}</time> <b>{m.from}</b> → <b>{m.to}</b>: {m.subject} <span className="muted">({m.status})</span>
            {m.body && m.body !== m.subject && <pre>{m.body.slice(0, 2000)}</pre>}
          </li>
        ))}
      </ul>
      <button
        disabled={loading || atEnd || messages.length === 0}
        onClick={() => void olderPage()}
      >
        {atEnd || messages.length === 0 ? 'Nothing older' : 'Older'}
      </button>
    </section>
  );
}
