import Database from 'better-sqlite3';
import { historyFile, openHistory } from '../core/src/history/index.js';
import type { Task, TaskStatus } from './schema.js';

// The board follows delivery in the database itself: the router records a message delivered
// (the agent took it: its confirmation held) in the history, and in the same statement the task
// that message assigned goes from `assigned` to `working`. Whichever process records the
// delivery, however late the task learnt its message's id (see linkAssignment), no other
// order of events exists.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL,
  priority INTEGER NOT NULL,
  assignee TEXT,
  parent INTEGER REFERENCES tasks (id),
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  assignment TEXT
);
CREATE INDEX IF NOT EXISTS tasks_board ON tasks (project, status);
CREATE INDEX IF NOT EXISTS tasks_assignee ON tasks (assignee, status);
`;
const FOLLOW_DELIVERY = `
CREATE INDEX IF NOT EXISTS tasks_assignment ON tasks (assignment);
CREATE TRIGGER IF NOT EXISTS tasks_taken AFTER UPDATE OF status ON messages
WHEN NEW.status = 'delivered' AND OLD.status != 'delivered'
BEGIN
  UPDATE tasks SET status = 'working', updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE assignment = NEW.id AND status = 'assigned';
END;
`;

// What an agent's report may close: the tasks it has taken and not finished.
const TAKEN = `('working', 'input-required')`;

export type TaskStore = ReturnType<typeof openTasks>;
type Row = Omit<Task, 'status'> & { status: TaskStatus };

// The task board's table, in the history database (state/messages.sqlite): opened through the
// history first, so the file is made and checked the way the history makes it.
export function openTasks(home: string) {
  openHistory(home).close();
  const db = new Database(historyFile(home), { timeout: 5_000 });
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  // A board made before tasks followed delivery gains the column that links a task to the
  // message that assigned it.
  const columns = db.prepare('PRAGMA table_info(tasks)').all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'assignment')) db.exec('ALTER TABLE tasks ADD COLUMN assignment TEXT');
  db.exec(FOLLOW_DELIVERY);
  const byId = db.prepare('SELECT * FROM tasks WHERE id = ?');
  const insert = db.prepare(
    `INSERT INTO tasks (project, title, description, status, priority, assignee, parent, created, updated)
     VALUES (@project, @title, @description, @status, @priority, @assignee, @parent, @created, @updated)`,
  );
  // Taken first, finished first: an agent works through what it was given in the order it got
  // it (a task set working by hand, with no delivery, counts from its last change).
  const current = db.prepare(
    `SELECT tasks.* FROM tasks LEFT JOIN messages ON messages.id = tasks.assignment
     WHERE tasks.assignee = ? AND tasks.status IN ${TAKEN}
     ORDER BY coalesce(messages.delivered_at, tasks.updated), tasks.id LIMIT 1`,
  );
  const link = db.prepare(
    `UPDATE tasks SET assignment = @message, updated = @updated,
       status = CASE WHEN status = 'assigned' AND EXISTS (SELECT 1 FROM messages WHERE id = @message AND status = 'delivered') THEN 'working' ELSE status END
     WHERE id = @id`,
  );
  const assigner = db.prepare('SELECT messages.from_addr FROM tasks JOIN messages ON messages.id = tasks.assignment WHERE tasks.id = ?');
  const search = db.prepare(
    `SELECT * FROM tasks WHERE instr(lower(title || ' ' || coalesce(description, '') || ' ' || coalesce(assignee, '')), @needle) > 0 ORDER BY id DESC LIMIT @limit`,
  );
  return {
    get(id: number): Task | null {
      return (byId.get(id) as Row | undefined) ?? null;
    },
    insert(task: Omit<Task, 'id' | 'assignment'>): Task {
      return this.get(Number(insert.run(task).lastInsertRowid))!;
    },
    // Writes the given fields of a task (and its `updated`); the task as it is now.
    update(id: number, fields: Partial<Omit<Task, 'id' | 'created'>>): Task {
      const keys = Object.keys(fields).filter((k) => /^[a-z]+$/.test(k));
      const set = [...keys.map((k) => `${k} = @${k}`), 'updated = @updated'].join(', ');
      db.prepare(`UPDATE tasks SET ${set} WHERE id = @id`).run({ ...fields, updated: new Date().toISOString(), id });
      return this.get(id)!;
    },
    // Links a task to the message that assigned it. A message the router delivered before the
    // link was written makes the task `working` here, in the same statement.
    linkAssignment(id: number, message: string): Task {
      link.run({ id, message, updated: new Date().toISOString() });
      return this.get(id)!;
    },
    // The board, or part of it: by priority, then oldest first.
    list(filter: { project?: string | undefined; status?: TaskStatus | undefined }): Task[] {
      const where: string[] = [];
      if (filter.project !== undefined) where.push('project = @project');
      if (filter.status !== undefined) where.push('status = @status');
      const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY priority, id`;
      return db.prepare(sql).all(filter) as Row[];
    },
    // The newest `limit` tasks whose title, description or assignee contains `needle` (lower
    // case; SQLite folds ASCII only).
    search(needle: string, limit: number): Task[] {
      return search.all({ needle, limit }) as Row[];
    },
    // The task an agent works on now: of those it has taken (its assignment delivered) and not
    // finished, the one it took first; null when it has none.
    currentOf(agent: string): Task | null {
      return (current.get(agent) as Row | undefined) ?? null;
    },
    // Who gave a task to its assignee (the sender of its assignment), or null when unknown.
    assignerOf(id: number): string | null {
      return (assigner.get(id) as { from_addr: string } | undefined)?.from_addr ?? null;
    },
    // The tasks given to an agent that have not reached it yet.
    notTakenBy(agent: string): Task[] {
      return db.prepare(`SELECT * FROM tasks WHERE assignee = ? AND status = 'assigned' ORDER BY id`).all(agent) as Row[];
    },
    close(): void {
      db.close();
    },
  };
}
