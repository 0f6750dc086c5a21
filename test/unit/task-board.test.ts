import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { historyFile, isCmuxError, openHistory, type MailboxMessage } from '../../apps/core/src/index.ts';
import { openTasks, reportOnTask, taskToReport } from '../../apps/tasks/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-board-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The board and the history in one database, as the CLI, the server and the router open them.
describe('tasks follow the delivery of their assignment', () => {
  const home = join(dir, 'home');
  const store = openTasks(home);
  const history = openHistory(home);
  after(() => {
    store.close();
    history.close();
  });
  const now = () => new Date().toISOString();
  const assigned = (agent: string, title: string) => {
    const task = store.insert({ project: 'default', title, description: null, status: 'open', priority: 3, assignee: null, parent: null, created: now(), updated: now() });
    return store.update(task.id, { assignee: agent, status: 'assigned' });
  };
  const message = (to: string): MailboxMessage => ({ id: randomUUID(), ts: now(), from: 'user', to, subject: 'task' });

  it('stays assigned while its message waits, and is working once the router records it delivered', () => {
    const task = assigned('w1', 'queued first');
    const m = message('w1');
    history.insert(m, 'queued');
    assert.equal(store.linkAssignment(task.id, m.id).status, 'assigned');
    history.setStatus(m.id, 'delivering');
    assert.equal(store.get(task.id)!.status, 'assigned', 'being typed is not taken');
    history.setStatus(m.id, 'delivered');
    assert.equal(store.get(task.id)!.status, 'working');
  });

  it('is working at once when the router delivered the message before the task learnt its id', () => {
    const task = assigned('w2', 'delivered first');
    const m = message('w2');
    history.insert(m, 'queued');
    history.setStatus(m.id, 'delivered');
    assert.equal(store.get(task.id)!.status, 'assigned');
    assert.equal(store.linkAssignment(task.id, m.id).status, 'working');
  });

  it('does not move for a dead or withdrawn assignment, nor for another message', () => {
    const task = assigned('w3', 'never taken');
    const m = message('w3');
    history.insert(m, 'queued');
    store.linkAssignment(task.id, m.id);
    const other = message('w3');
    history.insert(other, 'queued');
    history.setStatus(other.id, 'delivered');
    history.setStatus(m.id, 'dead', 'no live agent');
    assert.equal(store.get(task.id)!.status, 'assigned');
  });

  it('reports on the task taken first, never on one whose assignment has not arrived', () => {
    const first = assigned('w4', 'first job');
    const second = assigned('w4', 'second job');
    const [m1, m2] = [message('w4'), message('w4')];
    history.insert(m1, 'queued');
    history.insert(m2, 'queued');
    store.linkAssignment(first.id, m1.id);
    store.linkAssignment(second.id, m2.id);
    assert.equal(taskToReport({ store }, 'w4'), null, 'nothing has reached w4');
    history.setStatus(m1.id, 'delivered');
    assert.equal(taskToReport({ store }, 'w4')!.id, first.id);
    history.setStatus(m2.id, 'delivered');
    store.update(second.id, { priority: 1 });
    assert.equal(taskToReport({ store }, 'w4')!.id, first.id, 'the one taken first, however the other changed since');
    assert.equal(reportOnTask({ store }, taskToReport({ store }, 'w4')!, 'done').status, 'done');
    assert.equal(reportOnTask({ store }, taskToReport({ store }, 'w4')!, 'blocked').status, 'input-required');
    assert.equal(taskToReport({ store }, 'w4')!.id, second.id, 'a blocked task is still the one it works on');
  });

  it('takes a task named by its id only from its own agent, and only unfinished', () => {
    const task = assigned('w5', 'named');
    assert.equal(taskToReport({ store }, 'w5', task.id)!.id, task.id, 'named, it may still be on its way');
    const refused = (agent: string, id: number, code: string, text: RegExp) =>
      assert.throws(() => taskToReport({ store }, agent, id), (error: unknown) => isCmuxError(error, code as never) && text.test((error as Error).message));
    refused('w6', task.id, 'CMUX_ERR_USAGE', /assigned to w5, not to w6/);
    refused('w5', 999_999, 'CMUX_ERR_TASK_NOT_FOUND', /no task #999999/);
    store.update(task.id, { status: 'done' });
    refused('w5', task.id, 'CMUX_ERR_USAGE', /is done already/);
  });

  it('adds the link to a board made before it, and follows delivery there too', () => {
    const old = join(dir, 'old');
    openHistory(old).close();
    const db = new Database(historyFile(old));
    db.exec(`CREATE TABLE tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, title TEXT NOT NULL, description TEXT, status TEXT NOT NULL,
      priority INTEGER NOT NULL, assignee TEXT, parent INTEGER REFERENCES tasks (id), created TEXT NOT NULL, updated TEXT NOT NULL)`);
    db.prepare(`INSERT INTO tasks (project, title, status, priority, assignee, created, updated) VALUES ('default', 'old', 'working', 3, 'w7', ?, ?)`).run(now(), now());
    db.close();
    const board = openTasks(old);
    const oldHistory = openHistory(old);
    try {
      assert.deepEqual([board.get(1)!.assignment, board.currentOf('w7')!.title], [null, 'old']);
      const m = message('w7');
      oldHistory.insert(m, 'queued');
      board.update(1, { status: 'assigned' });
      board.linkAssignment(1, m.id);
      oldHistory.setStatus(m.id, 'delivered');
      assert.equal(board.get(1)!.status, 'working');
    } finally {
      board.close();
      oldHistory.close();
    }
  });
});
