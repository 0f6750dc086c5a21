import { useRef, useState } from 'react';
import { api, type Agent, type KilledAgent } from '../api';
import { clock, hostOf, since, teamOrder } from '../format';
import { useFreshNotice } from '../fresh';

const ATTENTION_TEXT: Record<string, string> = {
  waiting: 'a dialog waits for your answer',
  done: 'finished what it was given',
  exited: 'its program ended on its own',
};

// Agents whose program is not running: they stay listed, apart, until killed.
const STOPPED = new Set(['stopped', 'exited', 'missing']);

// The agents in a steady order, marked when they need attention, with how long each has been
// in its state; the stopped ones and the killed ones (with their archived terminals) apart; and
// a form to spawn a worker (selected once it runs).
export function AgentList({
  agents,
  killed,
  selected,
  onSelect,
  now,
  self,
  hosts,
}: {
  agents: Agent[];
  killed: KilledAgent[];
  selected: string | null;
  onSelect: (id: string) => void;
  now: number;
  // In a cluster: this host's name, and every host a worker may be spawned on (this one first).
  self: string | null;
  hosts: readonly string[];
}) {
  const [name, setName] = useState('');
  const [spawnHost, setSpawnHost] = useState('');
  const [task, setTask] = useState('');
  const [worktree, setWorktree] = useState(false);
  const [branch, setBranch] = useState('');
  const [repo, setRepo] = useState('');
  const [error, setError] = useFreshNotice();
  const [notice, setNotice] = useFreshNotice();
  // The selection now, not when the spawn began: a person who looked elsewhere meanwhile keeps that.
  const current = useRef(selected);
  current.current = selected;
  const ordered = teamOrder(agents);
  const running = ordered.filter((a) => !STOPPED.has(a.status));
  const stopped = ordered.filter((a) => STOPPED.has(a.status));
  const item = (a: Agent) => (
          <li key={a.id}>
            <button className={a.id === selected ? 'agent selected' : 'agent'} aria-current={a.id === selected ? 'true' : undefined} onClick={() => onSelect(a.id)} data-agent={a.id}>
              <span className={`dot ${a.status}`} aria-hidden />
              <span className="name">{a.name}</span>
              {hostOf(a, self) && (
                <span className="badge host" data-host={hostOf(a, self)}>
                  {hostOf(a, self)}
                </span>
              )}
              {a.project && a.project !== 'default' && (
                <span className="badge" data-project={a.project}>
                  {a.project}
                </span>
              )}
              {a.attention && (
                <span className={`attention ${a.attention.event}`} data-attention={a.attention.event} title={ATTENTION_TEXT[a.attention.event]}>
                  {a.attention.event === 'done' ? 'done' : a.attention.event === 'waiting' ? 'needs you' : 'exited'}
                </span>
              )}
              <span className="status" data-status={a.status}>
                {a.status} {since(a.statusSince, now)}
              </span>
            </button>
          </li>
  );
  return (
    <aside className="agents" aria-label="agents">
      <h2>Agents</h2>
      <ul>{running.map(item)}</ul>
      {stopped.length > 0 && (
        <>
          <h3>Stopped</h3>
          <ul data-list="stopped">{stopped.map(item)}</ul>
        </>
      )}
      {killed.length > 0 && (
        <>
          <h3>Killed</h3>
          <ul data-list="killed">
            {killed.map((k) => (
              <li key={`${k.id}@${k.killedAt}`}>
                <button className={k.id === selected ? 'agent selected' : 'agent'} aria-current={k.id === selected ? 'true' : undefined} onClick={() => onSelect(k.id)} data-killed={k.id}>
                  <span className="dot killed" aria-hidden />
                  <span className="name">{k.name}</span>
                  <span className="status">killed {clock(k.killedAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <form
        className="spawn"
        onSubmit={async (e) => {
          e.preventDefault();
          setError('');
          setNotice('');
          const before = current.current;
          try {
            const spawned = await api.spawn(name.trim(), {
              ...(spawnHost && spawnHost !== self ? { host: spawnHost } : {}),
              ...(task ? { task } : {}),
              ...(worktree ? { worktree, ...(branch.trim() ? { branch: branch.trim() } : {}), ...(repo.trim() ? { cwd: repo.trim() } : {}) } : {}),
            });
            setNotice(spawned.notice ?? '');
            // The new worker is what the person wants to watch next, unless they chose another meanwhile.
            if (current.current === before) onSelect(spawned.id);
            setName('');
            setTask('');
            setBranch('');
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <h3>Spawn a worker</h3>
        <input aria-label="worker name" value={name} onChange={(e) => setName(e.target.value)} placeholder="name" required pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,47}" />
        {hosts.length > 1 && (
          <select aria-label="host to spawn on" value={spawnHost || self || ''} onChange={(e) => setSpawnHost(e.target.value)}>
            {hosts.map((h) => (
              <option key={h} value={h}>
                on {h}
                {h === self ? ' (this host)' : ''}
              </option>
            ))}
          </select>
        )}
        <textarea aria-label="task" value={task} onChange={(e) => setTask(e.target.value)} placeholder="task (optional)" rows={2} />
        <label className="check">
          <input type="checkbox" checked={worktree} onChange={(e) => setWorktree(e.target.checked)} /> own git worktree
        </label>
        {worktree && (
          <>
            <input aria-label="repository" value={repo} onChange={(e) => setRepo(e.target.value)} placeholder="repository folder (default: cmux's own)" />
            <input aria-label="branch" value={branch} onChange={(e) => setBranch(e.target.value)} placeholder="branch (default cmux/<name>)" />
          </>
        )}
        <button type="submit">Spawn</button>
        {error && <p className="error" role="alert">{error}</p>}
        {notice && <p className="notice">{notice}</p>}
      </form>
    </aside>
  );
}
