import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { api, type Alert, type AppProcess, type AppSamples, type ClusterInfo, type Health } from '../api';
import { bytes, clock, since } from '../format';
import { useFreshNotice } from '../fresh';
import { AlertList } from './AlertList';
import { AppSparkline, LogFollower } from './AppCharts';
import { JournalView } from './JournalView';

const POLL_MS = 2_000;

// The four PM2 apps (on this host each restarted after a confirmation, its log followed live,
// its memory and restarts over the last hour drawn), health and the frontend's last heal, the
// alerts, and the journal. In a cluster, every other host's apps and health too, as its
// liveness beats last told them (`host`: only that host's). While the page is offline the
// tables and health are the last known ones, greyed and said so. The whole view loads with its
// first opening, not with the first screen.
export function SystemView({
  cluster,
  host,
  alerts,
  now,
  refresh,
  online,
  journalAt,
  onAcknowledged,
}: {
  cluster: ClusterInfo | null;
  host: string | null;
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
  const self = cluster?.self ?? null;
  const stale = !online ? `Last known ${fetchedAt ? `at ${clock(new Date(fetchedAt).toISOString())}` : ''}: the server does not answer, so none of this is vouched for.` : null;
  const others = (cluster?.hosts ?? []).filter((h) => h.host !== self && (!host || h.host === host));
  // This host's apps act: a restart asked first, the log followed, the last hour drawn.
  const acts = (p: AppProcess) => (
    <>
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
    </>
  );
  return (
    <section className="system-view">
      {(!host || host === self) && (
        <section className="host-system" aria-label={self ? `host ${self}` : undefined} data-system-host={self ?? ''}>
          <h2>Processes{self ? ` on ${self} (this host)` : ''}</h2>
          <ProcessTable processes={processes} at={fetchedAt} now={now} stale={stale} label={self ? `processes of ${self}` : 'processes'} acts={acts} />
          {notice && (
            <p role="status" data-app-notice>
              {notice}
            </p>
          )}
          {following && <LogFollower name={following} onClose={() => setFollowing(null)} />}
          <p className="health" data-stale={!online}>
            Health: <b>{health?.status ?? '…'}</b> · frontend {health?.frontend.status ?? '…'} · last heal {health?.frontend.lastHeal ? clock(health.frontend.lastHeal) : 'never'}
          </p>
        </section>
      )}
      {others.map((h) => (
        <section key={h.host} className="host-system" aria-label={`host ${h.host}`} data-system-host={h.host} data-reachable={h.reachable}>
          <h2>Processes on {h.host}</h2>
          <ProcessTable
            processes={h.apps}
            at={h.lastSeen ? Date.parse(h.lastSeen) : null}
            now={now}
            stale={h.reachable ? stale : `Unreachable: not heard from ${h.lastSeen ? `since ${clock(h.lastSeen)}` : 'yet'}, so this is its last word.`}
            label={`processes of ${h.host}`}
          />
          <p className="health" data-stale={!online || !h.reachable} data-host-health={h.health?.status ?? ''}>
            Health: <b>{h.reachable ? (h.health?.status ?? '…') : 'unreachable'}</b>
            {h.health?.problem ? ` · ${h.health.problem}` : ''} · {h.agents} agent{h.agents === 1 ? '' : 's'} · last heard {h.lastSeen ? `${since(h.lastSeen, now)} ago` : 'never'}
          </p>
        </section>
      ))}
      <AlertList alerts={alerts} onAcknowledged={onAcknowledged} />
      <JournalView at={journalAt} />
    </section>
  );
}

// One host's PM2 apps; `at` is when the figures were read (uptime counts from it), `stale` why
// they are not vouched for now; `acts`, this host's, adds each app's last hour and buttons.
function ProcessTable({ processes, at, now, stale, label, acts }: { processes: AppProcess[]; at: number | null; now: number; stale: string | null; label: string; acts?: (p: AppProcess) => ReactNode }) {
  return (
    // Focusable: on a phone the table scrolls sideways, by the keyboard too.
    <div className="table-scroll" data-stale={stale !== null} tabIndex={0} role="region" aria-label={`${label} table`}>
      <table className="processes">
        {stale && <caption>{stale}</caption>}
        <thead>
          <tr>
            <th>app</th><th>status</th><th>pid</th><th>restarts</th><th>uptime</th><th>memory</th><th>cpu</th>
            {acts && (
              <>
                <th>last hour</th>
                <th>act</th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {processes.map((p) => (
            <tr key={p.name} data-app={p.name}>
              <td>{p.name}</td>
              <td className={p.status} data-process-status={p.status}>{p.status}</td>
              <td data-pid={p.pid ?? ''}>{p.pid ?? '–'}</td>
              <td data-restarts={p.restarts}>{p.restarts}</td>
              <td>{p.uptimeMs === null || at === null ? '–' : since(new Date(at - p.uptimeMs).toISOString(), now)}</td>
              <td>{bytes(p.memory)}</td>
              <td>{p.cpu === null ? '–' : `${p.cpu}%`}</td>
              {acts?.(p)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
