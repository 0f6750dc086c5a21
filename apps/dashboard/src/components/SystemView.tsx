import { useEffect, useState } from 'react';
import { api, type Alert, type AppProcess, type AppSamples, type Health } from '../api';
import { bytes, clock, since } from '../format';
import { useFreshNotice } from '../fresh';
import { AlertList } from './AlertList';
import { AppSparkline, LogFollower } from './AppCharts';
import { JournalView } from './JournalView';

const POLL_MS = 2_000;

// The four PM2 apps (each restarted after a confirmation, its log followed live, its memory and
// restarts over the last hour drawn), health and the frontend's last heal, the alerts, and the
// journal. While the page is offline the table and health are the last known ones, greyed and
// said so. The whole view loads with its first opening, not with the first screen.
export function SystemView({ alerts, now, refresh, online, journalAt, onAcknowledged }: {
  alerts: Alert[];
  now: number;
  refresh: number;
  online: boolean;
  // A day of the journal to show, and a file of it to open (a search hit opened here).
  journalAt: { date: string; file: string | null } | null;
  onAcknowledged: (alert: Alert) => void;
}) {
  const [processes, setProcesses] = useState<AppProcess[]>([]);
  const [health, setHealth] = useState<Health | null>(null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);
  const [samples, setSamples] = useState<AppSamples | null>(null);
  const [following, setFollowing] = useState<string | null>(null);
  const [notice, setNotice] = useFreshNotice();
  useEffect(() => {
    if (!online) return;
    let stop = false;
    const load = () =>
      Promise.all([api.processes(), api.health(), api.appSamples()]).then(([p, h, s]) => {
        if (stop) return;
        setProcesses(p);
        setHealth(h);
        setSamples(s);
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
              <th>app</th><th>status</th><th>pid</th><th>restarts</th><th>uptime</th><th>memory</th><th>cpu</th><th>last hour</th><th>act</th>
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
                <td>
                  <AppSparkline name={p.name} samples={samples?.apps[p.name]} />
                </td>
                <td className="app-actions">
                  {p.name !== 'cmux-nats' && (
                    <>
                      <button
                        aria-label={`restart ${p.name}`}
                        disabled={!online}
                        onClick={() => {
                          if (!window.confirm(`Restart ${p.name}? PM2 stops it and starts it again; agents keep running.`)) return;
                          api.restartApp(p.name).then(
                            () => setNotice(`${p.name} restarted`),
                            (e: Error) => setNotice(`${p.name} not restarted: ${e.message}`),
                          );
                        }}
                      >
                        Restart
                      </button>{' '}
                      <button aria-label={`follow the log of ${p.name}`} aria-pressed={following === p.name} onClick={() => setFollowing(following === p.name ? null : p.name)}>
                        Log
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {notice && (
        <p role="status" data-app-notice>
          {notice}
        </p>
      )}
      {following && <LogFollower name={following} onClose={() => setFollowing(null)} />}
      <p className="health" data-stale={!online}>
        Health: <b>{health?.status ?? '…'}</b> · frontend {health?.frontend.status ?? '…'} · last heal {health?.frontend.lastHeal ? clock(health.frontend.lastHeal) : 'never'}
      </p>
      <AlertList alerts={alerts} onAcknowledged={onAcknowledged} />
      <JournalView at={journalAt} />
    </section>
  );
}
