import { useEffect, useState } from 'react';
import { api, type Alert, type AppProcess, type Health } from '../api';
import { bytes, clock, since } from '../format';
import { AlertList } from './AlertList';
import { JournalView } from './JournalView';

const POLL_MS = 2_000;

// The four PM2 apps, health and the frontend's last heal, the alerts, and the journal. While
// the page is offline the table and health are the last known ones, greyed and said so.
export function SystemView({ alerts, now, refresh, online, onAcknowledged }: { alerts: Alert[]; now: number; refresh: number; online: boolean; onAcknowledged: (alert: Alert) => void }) {
  const [processes, setProcesses] = useState<AppProcess[]>([]);
  const [health, setHealth] = useState<Health | null>(null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);
  useEffect(() => {
    if (!online) return;
    let stop = false;
    const load = () =>
      Promise.all([api.processes(), api.health()]).then(([p, h]) => {
        if (stop) return;
        setProcesses(p);
        setHealth(h);
        setFetchedAt(Date.now());
      }, () => undefined);
    void load();
    const timer = window.setInterval(() => void load(), POLL_MS);
    return () => {
      stop = true;
      window.clearInterval(timer);
    };
  }, [online, refresh]);
  return (
    <section className="system-view">
      <h2>Processes</h2>
      {/* Focusable: on a phone the table scrolls sideways, by the keyboard too. */}
      <div className="table-scroll" data-stale={!online} tabIndex={0} role="region" aria-label="processes table">
        <table className="processes">
          {!online && <caption>Last known {fetchedAt ? `at ${clock(new Date(fetchedAt).toISOString())}` : ''}: the server does not answer, so none of this is vouched for.</caption>}
          <thead>
            <tr>
              <th>app</th><th>status</th><th>pid</th><th>restarts</th><th>uptime</th><th>memory</th><th>cpu</th>
            </tr>
          </thead>
          <tbody>
            {processes.map((p) => (
              <tr key={p.name} data-app={p.name}>
                <td>{p.name}</td>
                <td className={p.status} data-process-status={p.status}>{p.status}</td>
                <td data-pid={p.pid ?? ''}>{p.pid ?? '–'}</td>
                <td data-restarts={p.restarts}>{p.restarts}</td>
                <td>{p.uptimeMs === null || fetchedAt === null ? '–' : since(new Date(fetchedAt - p.uptimeMs).toISOString(), now)}</td>
                <td>{bytes(p.memory)}</td>
                <td>{p.cpu === null ? '–' : `${p.cpu}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="health" data-stale={!online}>
        Health: <b>{health?.status ?? '…'}</b> · frontend {health?.frontend.status ?? '…'} · last heal {health?.frontend.lastHeal ? clock(health.frontend.lastHeal) : 'never'}
      </p>
      <AlertList alerts={alerts} onAcknowledged={onAcknowledged} />
      <JournalView />
    </section>
  );
}
