import { useState } from 'react';
import { api, type Agent } from '../api';
import { byAttention, since } from '../format';

// The agents, who needs attention first, with how long each has been in its state; and a
// form to spawn a worker.
export function AgentList({ agents, selected, onSelect, now }: { agents: Agent[]; selected: string | null; onSelect: (id: string) => void; now: number }) {
  const [name, setName] = useState('');
  const [task, setTask] = useState('');
  const [error, setError] = useState('');
  return (
    <aside className="agents">
      <h2>Agents</h2>
      <ul>
        {byAttention(agents).map((a) => (
          <li key={a.id}>
            <button className={a.id === selected ? 'agent selected' : 'agent'} onClick={() => onSelect(a.id)} data-agent={a.id}>
              <span className={`dot ${a.status}`} aria-hidden />
              <span className="name">{a.name}</span>
              <span className="status" data-status={a.status}>
                {a.status} {since(a.statusSince, now)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <form
        className="spawn"
        onSubmit={async (e) => {
          e.preventDefault();
          setError('');
          try {
            await api.spawn(name.trim(), task);
            setName('');
            setTask('');
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <h3>Spawn a worker</h3>
        <input aria-label="worker name" value={name} onChange={(e) => setName(e.target.value)} placeholder="name" required pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,47}" />
        <textarea aria-label="task" value={task} onChange={(e) => setTask(e.target.value)} placeholder="task (optional)" rows={2} />
        <button type="submit">Spawn</button>
        {error && <p className="error" role="alert">{error}</p>}
      </form>
    </aside>
  );
}
