import { chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type DatabaseConstructor from 'better-sqlite3';
import { assertHomePath, ensureHomeFolder } from '../fs/index.js';
import { agentOf, type MailboxMessage } from '../mailbox/index.js';
import { homePaths } from '../paths/index.js';

// `withdrawn`: its sender took it back before it was typed (a `cmux send` that gave up waiting).
export const DELIVERY_STATUSES = ['queued', 'delivering', 'delivered', 'dead', 'withdrawn'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

// A message as the history keeps it: the mailbox line plus where its delivery stands.
export interface StoredMessage extends MailboxMessage {
  seq: number;
  status: DeliveryStatus;
  storedAt: string;
  deliveredAt: string | null;
  detail: string | null;
}

export interface HistoryPage {
  agent?: string | undefined;
  // Only messages from or to one of these agent names (a project's agents).
  agents?: readonly string[] | undefined;
  limit: number;
  // Only messages older than this seq (the cursor of the previous page).
  before?: number | undefined;
  // Only messages at or after this time (ISO, UTC), oldest first: the page after a moment,
  // such as the first messages an agent was sent once it was spawned.
  since?: string | undefined;
  // Only messages from (`out`) or to (`in`) the agent, or the user when no agent is named.
  direction?: 'in' | 'out' | undefined;
  // Only messages whose delivery stands here.
  status?: DeliveryStatus | undefined;
}

interface Row {
  seq: number;
  id: string;
  ts: string;
  from_addr: string;
  to_addr: string;
  subject: string;
  body: string | null;
  body_file: string | null;
  reply_to: string | null;
  status: DeliveryStatus;
  stored_at: string;
  delivered_at: string | null;
  detail: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  ts TEXT NOT NULL,
  from_addr TEXT NOT NULL,
  to_addr TEXT NOT NULL,
  from_agent TEXT,
  to_agent TEXT,
  subject TEXT NOT NULL,
  body TEXT,
  body_file TEXT,
  reply_to TEXT,
  status TEXT NOT NULL,
  stored_at TEXT NOT NULL,
  delivered_at TEXT,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS messages_from ON messages (from_addr, seq);
CREATE INDEX IF NOT EXISTS messages_to ON messages (to_addr, seq);
CREATE INDEX IF NOT EXISTS messages_from_agent ON messages (from_agent, seq);
CREATE INDEX IF NOT EXISTS messages_to_agent ON messages (to_agent, seq);
CREATE INDEX IF NOT EXISTS messages_pending ON messages (status, seq) WHERE status IN ('queued', 'delivering');
`;

const CACHE_KIB = 2_048;

// better-sqlite3 is loaded by the apps that open the history (the server and the router), not
// by every app that imports cmux's core.
function loadSqlite(): typeof DatabaseConstructor {
  return createRequire(import.meta.url)('better-sqlite3') as typeof DatabaseConstructor;
}

// Where the message history lives.
export function historyFile(home: string): string {
  return homePaths(home).history;
}

export type HistoryStore = ReturnType<typeof openHistory>;

// The durable message history (SQLite, WAL): every message once, by id, with its delivery
// status. The router writes it; the server reads it. Inserting an id twice is a no-op, which
// is what makes a re-read mailbox line harmless.
export function openHistory(home: string, opts: { readonly?: boolean } = {}) {
  const file = historyFile(home);
  ensureHomeFolder(home, dirname(file));
  // SQLite opens these itself, following links and blocking on a FIFO: they are checked first
  // (a file swapped in between the check and the open is not caught).
  for (const f of [file, `${file}-wal`, `${file}-shm`]) assertHomePath(home, f);
  const db = new (loadSqlite())(file, { fileMustExist: false, timeout: 5_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // better-sqlite3 builds SQLite with a 16 MB page cache per connection, which a long-running
  // router and server each fill as the history grows (RSS rising for 30 000 messages, then
  // flat 26 MB higher). Inserts touch the tail of each index and one page of the id index, and
  // a page of history reads at most a few hundred rows: 2 MB holds that, and what it drops is
  // one pread from the OS's own file cache away.
  db.pragma(`cache_size = -${CACHE_KIB}`);
  if (!opts.readonly) {
    db.exec(SCHEMA);
    // A history written before replies existed gains their column.
    const columns = db.prepare('PRAGMA table_info(messages)').all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'reply_to')) db.exec('ALTER TABLE messages ADD COLUMN reply_to TEXT');
    chmodSync(file, 0o600);
  }
  const insert = db.prepare(
    `INSERT OR IGNORE INTO messages (id, ts, from_addr, to_addr, from_agent, to_agent, subject, body, body_file, reply_to, status, stored_at)
     VALUES (@id, @ts, @from, @to, @fromAgent, @toAgent, @subject, @body, @bodyFile, @replyTo, @status, @storedAt)`,
  );
  // A withdrawn message stays withdrawn: the router's notes on it change nothing.
  const setStatus = db.prepare(
    `UPDATE messages SET status = @status, detail = @detail,
       delivered_at = CASE WHEN @status = 'delivered' THEN @at ELSE delivered_at END
     WHERE id = @id AND status != 'withdrawn'`,
  );
  const withdraw = db.prepare(
    `UPDATE messages SET status = 'withdrawn', detail = @detail WHERE id = @id AND (status = 'queued' OR (status = 'withdrawn' AND detail IS NULL))`,
  );
  // Another host's word on a message it delivers only ever moves it forward: a late
  // `delivering` never undoes `delivered`, and a final status stays.
  const rank = (column: string) => `CASE ${column} WHEN 'queued' THEN 0 WHEN 'delivering' THEN 1 ELSE 2 END`;
  const advance = db.prepare(
    `UPDATE messages SET status = @status, detail = @detail,
       delivered_at = CASE WHEN @status = 'delivered' THEN @at ELSE delivered_at END
     WHERE id = @id AND (${rank('status')} < ${rank('@status')} OR (status = @status AND ${rank('@status')} < 2 AND detail IS NOT @detail))`,
  );
  const byId = db.prepare('SELECT * FROM messages WHERE id = ?');
  const pending = db.prepare(`SELECT * FROM messages WHERE status IN ('queued', 'delivering') ORDER BY seq`);
  const count = db.prepare('SELECT COUNT(*) AS n FROM messages');
  const newest = db.prepare('SELECT * FROM messages WHERE seq < @before ORDER BY seq DESC LIMIT @limit');
  // instr, not LIKE: the text's % and _ are no wildcards. SQLite's lower() folds ASCII only.
  const search = db.prepare(
    `SELECT * FROM (SELECT * FROM messages ORDER BY seq DESC LIMIT @scan)
     WHERE instr(lower(subject), @needle) > 0 OR instr(lower(coalesce(body, '')), @needle) > 0 OR instr(lower(from_addr || ' ' || to_addr), @needle) > 0
     ORDER BY seq DESC LIMIT @limit`,
  );
  const maxSeq = db.prepare('SELECT coalesce(max(seq), 0) AS top, coalesce(min(seq), 0) AS bottom FROM messages');

  return {
    // Stores a message; returns false when its id was already stored.
    insert(message: MailboxMessage, status: DeliveryStatus): boolean {
      return (
        insert.run({
          id: message.id,
          ts: message.ts,
          from: message.from,
          to: message.to,
          fromAgent: agentKey(message.from),
          toAgent: agentKey(message.to),
          subject: message.subject,
          body: message.body ?? null,
          bodyFile: message.bodyFile ?? null,
          replyTo: message.replyTo ?? null,
          status,
          storedAt: new Date().toISOString(),
        }).changes === 1
      );
    },
    // Stores many messages in one transaction; returns the ones that were new.
    insertMany(messages: ReadonlyArray<{ message: MailboxMessage; status: DeliveryStatus }>): MailboxMessage[] {
      return db.transaction(() => messages.filter(({ message, status }) => this.insert(message, status)).map((m) => m.message))();
    },
    // Records where a message's delivery stands; false when it was withdrawn (nothing changes).
    setStatus(id: string, status: DeliveryStatus, detail: string | null = null): boolean {
      return setStatus.run({ id, status, detail, at: new Date().toISOString() }).changes === 1;
    },
    // Records another host's status of a message it delivers, if it moves the message forward
    // (see `advance`); false when it changed nothing.
    advance(id: string, status: DeliveryStatus, detail: string | null, at: string = new Date().toISOString()): boolean {
      return advance.run({ id, status, detail, at }).changes === 1;
    },
    // Takes a message back unless it is being typed or done with: one that is queued (or that
    // the router has not read yet: it is stored withdrawn, so the router never takes it) becomes
    // `withdrawn`. The router claims a message (`delivering`) through setStatus before it types
    // it, so exactly one of the two wins. Returns the message as it stands now.
    withdraw(message: MailboxMessage, detail: string): StoredMessage {
      return db.transaction(() => {
        this.insert(message, 'withdrawn');
        withdraw.run({ id: message.id, detail });
        return this.get(message.id)!;
      }).immediate();
    },
    get(id: string): StoredMessage | null {
      const row = byId.get(id) as Row | undefined;
      return row ? toMessage(row) : null;
    },
    // Messages whose delivery to an agent is not finished, oldest first.
    pending(): StoredMessage[] {
      return (pending.all() as Row[]).map(toMessage);
    },
    // A page of history, newest first; `agent` matches either end (an agent name or `user`).
    // Keyset paging: every column a filter matches has an index on (column, seq), so each
    // branch of the filter reads at most `limit` entries of one index, newest first, however
    // deep the page; the branches' union is sorted and cut to `limit` again.
    page({ agent, agents, limit, before, since, direction, status }: HistoryPage): StoredMessage[] {
      if (agents?.length === 0) return [];
      const params: Record<string, unknown> = { limit, before: before ?? Number.MAX_SAFE_INTEGER, since: since ?? '', status: status ?? null };
      // Newest first before a seq, or oldest first from a time (ts is not indexed: each branch
      // reads its index from the oldest entry up to the first match).
      const [bound, order] = since === undefined ? ['seq < @before', 'DESC'] : ['ts >= @since', 'ASC'];
      agents?.forEach((name, i) => (params[`agent${i}`] = name));
      const inAgents = (column: string) => (agents ?? []).map((_, i) => `${column} = @agent${i}`);
      const project = agents ? ` AND (${[...inAgents('from_agent'), ...inAgents('to_agent')].join(' OR ')})` : '';
      // The ends a direction reads: `out` from the agent (or the user), `in` to it.
      const ends = (from: string[], to: string[]) => (direction === 'out' ? from : direction === 'in' ? to : [...from, ...to]);
      let branches: string[];
      if (agent) {
        params.agent = agent;
        branches = ends(['from_addr', 'from_agent'], ['to_addr', 'to_agent']).map((column) => `${column} = @agent${project}`);
      } else if (direction) {
        branches = ends([`from_addr = 'user'${project}`], [`to_addr = 'user'${project}`]);
      } else if (agents) {
        branches = [...inAgents('from_agent'), ...inAgents('to_agent')];
      } else if (since === undefined && status === undefined) {
        return (newest.all(params) as Row[]).map(toMessage);
      } else {
        branches = ['1'];
      }
      const state = status === undefined ? '' : ' AND status = @status';
      const union = branches.map((where) => `SELECT seq FROM (SELECT seq FROM messages WHERE (${where})${state} AND ${bound} ORDER BY seq ${order} LIMIT @limit)`).join(' UNION ALL ');
      const sql = `SELECT * FROM messages WHERE seq IN (${union}) ORDER BY seq ${order} LIMIT @limit`;
      return (db.prepare(sql).all(params) as Row[]).map(toMessage);
    },
    // The newest `limit` messages whose subject, body or addresses contain `needle` (lower
    // case), among the newest `scan` only: `cut` says older ones were left unread.
    search(needle: string, { limit, scan }: { limit: number; scan: number }): { messages: StoredMessage[]; cut: boolean } {
      const messages = (search.all({ needle, limit, scan }) as Row[]).map(toMessage);
      const { top, bottom } = maxSeq.get() as { top: number; bottom: number };
      return { messages, cut: messages.length < limit && top - bottom + 1 > scan };
    },
    count(): number {
      return (count.get() as { n: number }).n;
    },
    close(): void {
      db.close();
    },
  };
}

// The agent an address names, as the history indexes it: its name, with its host when it is
// another host's (so a local agent's page never mixes with a namesake's elsewhere).
function agentKey(address: string): string | null {
  const agent = agentOf(address);
  return agent ? (agent.host ? `${agent.name}@${agent.host}` : agent.name) : null;
}

function toMessage(row: Row): StoredMessage {
  return {
    seq: row.seq,
    id: row.id,
    ts: row.ts,
    from: row.from_addr,
    to: row.to_addr,
    subject: row.subject,
    ...(row.body === null ? {} : { body: row.body }),
    ...(row.body_file === null ? {} : { bodyFile: row.body_file }),
    ...(row.reply_to === null ? {} : { replyTo: row.reply_to }),
    status: row.status,
    storedAt: row.stored_at,
    deliveredAt: row.delivered_at,
    detail: row.detail,
  };
}
