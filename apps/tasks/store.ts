import Database from 'better-sqlite3';
import { historyFile, openHistory } from '../core/src/history/index.js';
import type { Task, TaskStatus } from './schema.js';

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
  updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_board ON tasks (project, status);
CREATE INDEX IF NOT EXISTS tasks_assignee ON tasks (assignee, status);
`;

export type TaskStore = ReturnType<typeof openTasks>;
type Row = Omit<Task, 'status'> & { status: TaskStatus };

// The task board's table, in the history database (state/messages.sqlite): opened through the
// history first, so the file is made and checked the way the history makes it.
export function openTasks(home: string) {
  openHistory(home).close();
  const db = new Database(historyFile(home), { timeout: 5_000 });
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  const byId = db.prepare('SELECT * FROM tasks WHERE id = ?');
  const insert = db.prepare(
    `INSERT INTO tasks (project, title, description, status, priority, assignee, parent, created, updated)
     VALUES (@project, @title, @description, @status, @priority, @assignee, @parent, @created, @updated)`,
  );
  const current = db.prepare(
    `SELECT * FROM tasks WHERE assignee = ? AND status IN ('assigned', 'working', 'input-required') ORDER BY updated DESC, id DESC LIMIT 1`,
  );
  return {
    get(id: number): Task | null {
      return (byId.get(id) as Row | undefined) ?? null;
    },
    insert(task: Omit<Task, 'id'>): Task {
      return this.get(Number(insert.run(task).lastInsertRowid))!;
    },
    // Writes the given fields of a task (and its `updated`); the task as it is now.
    update(id: number, fields: Partial<Omit<Task, 'id' | 'created'>>): Task {
      const keys = Object.keys(fields).filter((k) => /^[a-z]+$/.test(k));
      const set = [...keys.map((k) => `${k} = @${k}`), 'updated = @updated'].join(', ');
      db.prepare(`UPDATE tasks SET ${set} WHERE id = @id`).run({ ...fields, updated: new Date().toISOString(), id });
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
    // The task an agent works on now: its latest unfinished one.
    currentOf(agent: string): Task | null {
      return (current.get(agent) as Row | undefined) ?? null;
    },
    close(): void {
      db.close();
    },
  };
}
