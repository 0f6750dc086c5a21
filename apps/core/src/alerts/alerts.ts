import { randomUUID } from 'node:crypto';
import type { CmuxConfig } from '../config/index.js';
import { CmuxError } from '../errors/index.js';
import { appendToHomeFile, newestJsonLines } from '../fs/index.js';
import { writeAttachment } from '../journal/index.js';
import { withFileLock } from '../lock/index.js';
import { appendMessage } from '../mailbox/index.js';
import { foldLines, terminalText } from '../input/index.js';
import { homePaths } from '../paths/index.js';
import { postEvent } from '../server-client/index.js';

// One alert of a cmux daemon (log watcher, healer), as GET /api/alerts lists it.
export interface Alert {
  id: string;
  ts: string;
  // The daemon that raised it, e.g. `log-watcher`.
  source: string;
  kind: string;
  title: string;
  // How many occurrences it stands for.
  count: number;
  excerpt: string;
  // The markdown file in the journal with the whole story.
  file: string;
  // When a person acknowledged it (POST /api/alerts/:id/ack); absent until then.
  acknowledged?: string;
}

export interface NewAlert {
  source: string;
  kind: string;
  title: string;
  count: number;
  excerpt: string;
  // The body of the journal attachment (markdown).
  details: string;
}

const READ_TAIL_BYTES = 1024 * 1024;

function alertsFile(home: string): string {
  return homePaths(home).alerts;
}

// Acknowledgements are a log of their own, so the alert log stays append-only.
function acksFile(home: string): string {
  return homePaths(home).alertsAcked;
}

interface Ack {
  id: string;
  at: string;
}

// Raises an alert: a markdown file in the journal, a line in the alert log, a mailbox message
// to the supervisor pointing at the file, and an event for the dashboards. What came from a log
// line or a webhook is made terminal-safe first: the supervisor reads it in a terminal.
export async function raiseAlert(config: CmuxConfig, raw: NewAlert): Promise<Alert> {
  const input = { ...raw, title: foldLines(terminalText(raw.title)), excerpt: terminalText(raw.excerpt), details: terminalText(raw.details) };
  const at = new Date();
  const file = writeAttachment(config.home, `${input.source}-${input.kind}`, 'md', input.details, at);
  const alert: Alert = { id: randomUUID(), ts: at.toISOString(), source: input.source, kind: input.kind, title: input.title, count: input.count, excerpt: input.excerpt.slice(0, 2_000), file };
  const log = alertsFile(config.home);
  await withFileLock(config.home, log, async () => appendToHomeFile(config.home, log, `${JSON.stringify(alert)}\n`));
  await appendMessage(config.home, {
    from: `system:${input.source}`,
    to: 'supervisor',
    subject: `[ALERT] ${input.title}`.slice(0, 300),
    body: `${input.count > 1 ? `${input.count} occurrences. ` : ''}Details: ${file}`,
  });
  void postEvent(config, 'alert', alert);
  return alert;
}

// The newest alerts first (read from the end of the alert log, so its size does not matter),
// each with its acknowledgement.
export function readAlerts(home: string, limit: number): Alert[] {
  const acked = new Map(newestJsonLines<Ack>(home, acksFile(home), Number.MAX_SAFE_INTEGER, READ_TAIL_BYTES).map((a) => [a.id, a.at]));
  return newestJsonLines<Alert>(home, alertsFile(home), limit, READ_TAIL_BYTES).map((alert) => {
    const at = acked.get(alert.id);
    return at ? { ...alert, acknowledged: at } : alert;
  });
}

// Marks an alert as seen by a person; acknowledging it again keeps the first time.
export async function acknowledgeAlert(home: string, id: string, at: Date = new Date()): Promise<Alert> {
  const alert = readAlerts(home, Number.MAX_SAFE_INTEGER).find((a) => a.id === id);
  if (!alert) throw new CmuxError('CMUX_ERR_ALERT_NOT_FOUND', `no alert ${id}`, { context: { id } });
  if (alert.acknowledged) return alert;
  const log = acksFile(home);
  const ack: Ack = { id, at: at.toISOString() };
  await withFileLock(home, log, async () => appendToHomeFile(home, log, `${JSON.stringify(ack)}\n`));
  return { ...alert, acknowledged: ack.at };
}
