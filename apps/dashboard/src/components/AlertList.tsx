import { useEffect, useRef, useState } from 'react';
import { api, type Alert } from '../api';
import { clock } from '../format';
import { useFreshNotice } from '../fresh';
import { JournalFileText, journalFileOf } from './JournalFileText';

// The daemons' alerts, newest first: each opens to its excerpt and its whole story (the
// journal file), and can be acknowledged (kept on the server, so it stays acknowledged).
export function AlertList({ alerts, onAcknowledged }: { alerts: Alert[]; onAcknowledged: (alert: Alert) => void }) {
  const [opened, setOpened] = useState<string | null>(null);
  const [error, setError] = useFreshNotice();
  // The alert just acknowledged: its button goes, so the focus moves to the alert's own line.
  const [acknowledged, setAcknowledged] = useState<string | null>(null);
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    if (!acknowledged) return;
    list.current?.querySelector<HTMLElement>(`[data-alert="${CSS.escape(acknowledged)}"] summary`)?.focus();
    setAcknowledged(null);
  }, [alerts, acknowledged]);
  const open = alerts.filter((a) => !a.acknowledged).length;
  return (
    <>
      <h2>
        Alerts {open > 0 && <span className="badge" data-unacknowledged={open}>{open} new</span>}
      </h2>
      {error && <p className="error" role="alert">{error}</p>}
      <ul className="alerts" ref={list}>
        {alerts.map((a) => {
          const file = journalFileOf(a.file);
          return (
            <li key={a.id} data-alert={a.id} className={a.acknowledged ? 'acknowledged' : ''}>
              <details onToggle={(e) => setOpened((e.currentTarget as HTMLDetailsElement).open ? a.id : opened === a.id ? null : opened)}>
                <summary>
                  <time>{clock(a.ts)}</time> [{a.source}] {a.title}
                  {a.count > 1 ? ` ×${a.count}` : ''}
                  {a.acknowledged && <span className="muted"> · acknowledged {clock(a.acknowledged)}</span>}
                </summary>
                <pre>{a.excerpt}</pre>
                <div className="alert-actions">
                  {!a.acknowledged && (
                    <button
                      onClick={() =>
                        api.acknowledge(a.id).then((done) => {
                          onAcknowledged(done);
                          setAcknowledged(done.id);
                        }, (e: Error) => setError(e.message))
                      }
                    >
                      Acknowledge
                    </button>
                  )}
                  {file && (
                    <span className="muted">
                      journal {file.date}: <code>attachments/{file.name}</code>
                    </span>
                  )}
                </div>
                {file && opened === a.id && <JournalFileText date={file.date} name={file.name} />}
              </details>
            </li>
          );
        })}
        {alerts.length === 0 && <li className="muted">no alerts</li>}
      </ul>
    </>
  );
}
