import { useEffect, useState } from 'react';
import { api, type Alert, type AppProcess, type Health, type JournalEntry } from '../api';
import { bytes, clock, since } from '../format';

// The four PM2 apps, health and the frontend's last heal, the alerts, and the journal.
export function SystemView({ alerts, now, refresh }: { alerts: Alert[]; now: number; refresh: number }) {
  const [processes, setProcesses] = useState<AppProcess[]>([]);
  const [health, setHealth] = useState<Health | null>(null);
  const [dates, setDates] = useState<string[]>([]);
  const [journal, setJournal] = useState<JournalEntry[]>([]);
  const [query, setQuery] = useState('');
  useEffect(() => {
    void Promise.all([api.processes(), api.health()]).then(([p, h]) => {
      setProcesses(p);
      setHealth(h);
    }, () => undefined);
  }, [refresh]);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      const [p, h] = await Promise.all([api.processes(), api.health()]);
      if (!stop) {
        setProcesses(p);
        setHealth(h);
      }
    };
    void load().catch(() => undefined);
    void api.journalDates().then(setDates, () => undefined);
    void api.journal().then((d) => setJournal(d.entries), () => undefined);
    const timer = window.setInterval(() => void load().catch(() => undefined), 2_000);
    return () => {
      stop = true;
      window.clearInterval(timer);
    };
  }, []);
  return (
    <section className="system-view">
      <h2>Processes</h2>
      <table className="processes">
        <thead>
          <tr>
            <th>app</th><th>status</th><th>pid</th><th>restarts</th><th>uptime</th><th>memory</th><th>cpu</th>
          </tr>
        </thead>
        <tbody>
          {processes.map((p) => (
            <tr key={p.name} data-app={p.name}>
              <td>{p.name}</td>
              <td className={p.status}>{p.status}</td>
              <td>{p.pid ?? '–'}</td>
              <td data-restarts={p.restarts}>{p.restarts}</td>
              <td>{p.uptimeMs === null ? '–' : since(new Date(now - p.uptimeMs).toISOString(), now)}</td>
              <td>{bytes(p.memory)}</td>
              <td>{p.cpu === null ? '–' : `${p.cpu}%`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Health: <b>{health?.status ?? '…'}</b> · frontend {health?.frontend.status ?? '…'} · last heal {health?.frontend.lastHeal ? clock(health.frontend.lastHeal) : 'never'}
      </p>
      <h2>Alerts</h2>
      <ul className="alerts">
        {alerts.map((a) => (
          <li key={a.id}>
            <details>
              <summary>
                <time>{clock(a.ts)}</time> [{a.source}] {a.title}
                {a.count > 1 ? ` ×${a.count}` : ''}
              </summary>
              <pre>{a.excerpt}</pre>
            </details>
          </li>
        ))}
        {alerts.length === 0 && <li className="muted">no alerts</li>}
      </ul>
      <h2>Journal</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (query.trim()) setJournal(await api.journalSearch(query.trim()));
        }}
      >
        <select aria-label="day" onChange={async (e) => setJournal((await api.journal(e.target.value)).entries)}>
          {dates.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
        <input aria-label="search the journal" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="search" />
      </form>
      <ul className="journal">
        {journal.map((e, i) => (
          <li key={i}>
            <b>
              {e.date} {e.time} – {e.title}
            </b>
            <pre>{e.content}</pre>
          </li>
        ))}
      </ul>
    </section>
  );
}
