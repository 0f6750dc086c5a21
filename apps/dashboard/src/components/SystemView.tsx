import { useEffect, useState } from 'react';
import { api, type Alert, type AppProcess, type ClusterInfo, type Health } from '../api';
import { bytes, clock, since } from '../format';
import { AlertList } from './AlertList';
import { JournalView } from './JournalView';

const POLL_MS = 2_000;

// The four PM2 apps, health and the frontend's last heal, the alerts, and the journal. In a
// cluster, every other host's apps and health too, as its liveness beats last told them
// (`host`: only that host's). While the page is offline the tables and health are the last
// known ones, greyed and said so.
export function SystemView({
  cluster,
  host,
  alerts,
  now,
  refresh,
  online,
  onAcknowledged,
}: {
  cluster: ClusterInfo | null;
  host: string | null;
  alerts: Alert[];
  now: number;
  refresh: number;
  online: boolean;
  onAcknowledged: (alert: Alert) => void;
}) {
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
  const self = cluster?.self ?? null;
  const stale = !online ? `Last known ${fetchedAt ? `at ${clock(new Date(fetchedAt).toISOString())}` : ''}: the server does not answer, so none of this is vouched for.` : null;
  const others = (cluster?.hosts ?? []).filter((h) => h.host !== self && (!host || h.host === host));
  return (
    <section className="system-view">
      {(!host || host === self) && (
        <section className="host-system" aria-label={self ? `host ${self}` : undefined} data-system-host={self ?? ''}>
          <h2>Processes{self ? ` on ${self} (this host)` : ''}</h2>
          <ProcessTable processes={processes} at={fetchedAt} now={now} stale={stale} label={self ? `processes of ${self}` : 'processes'} />
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
      <JournalView />
    </section>
  );
}

// One host's PM2 apps; `at` is when the figures were read (uptime counts from it), `stale` why
// they are not vouched for now.
function ProcessTable({ processes, at, now, stale, label }: { processes: AppProcess[]; at: number | null; now: number; stale: string | null; label: string }) {
  return (
    // Focusable: on a phone the table scrolls sideways, by the keyboard too.
    <div className="table-scroll" data-stale={stale !== null} tabIndex={0} role="region" aria-label={`${label} table`}>
      <table className="processes">
        {stale && <caption>{stale}</caption>}
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
              <td>{p.uptimeMs === null || at === null ? '–' : since(new Date(at - p.uptimeMs).toISOString(), now)}</td>
              <td>{bytes(p.memory)}</td>
              <td>{p.cpu === null ? '–' : `${p.cpu}%`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
