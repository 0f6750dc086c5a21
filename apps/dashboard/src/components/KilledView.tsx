import { useContext, useEffect, useState } from 'react';
import { api, type KilledAgent } from '../api';
import { Reconnects, useFreshNotice } from '../fresh';
import { Terminal } from './Terminal';

// A killed agent, kept in view: who it was, when it was killed, and its terminal as archived
// in the journal at the kill.
export function KilledView({ agent }: { agent: KilledAgent }) {
  const [text, setText] = useState('');
  const [error, setError] = useFreshNotice();
  const reconnects = useContext(Reconnects);
  const { date, name } = agent.archive ?? {};
  useEffect(() => {
    if (date && name) api.journalFile(date, name).then((f) => setText(f.text), (e: Error) => setError(e.message));
  }, [date, name, reconnects, setError]);
  const archive = agent.archive;
  return (
    <section className="agent-view" aria-label={`${agent.name}, killed`} data-killed-view={agent.id}>
      <header>
        <h2>
          {agent.name} <span className="badge killed">killed</span>
        </h2>
        <span className="muted">
          {agent.role} · killed {new Date(agent.killedAt).toLocaleString()}
        </span>
      </header>
      {archive ? (
        <p className="muted">
          Its terminal as it was at the kill, archived in the journal of {archive.date} (<code>attachments/{archive.name}</code>).
        </p>
      ) : (
        <p className="muted">Its window was gone already when it was killed: there is no terminal to show.</p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {archive && <Terminal text={text} />}
    </section>
  );
}
