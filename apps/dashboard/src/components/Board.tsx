import { useCallback, useEffect, useRef, useState } from 'react';
import { api, TASK_STATUSES, type Project, type Task } from '../api';
import { useFreshNotice } from '../fresh';

const POLL_MS = 3_000;

// The task board: one column per status, the project's tasks by priority in each; buttons move
// a task one column left or right, a form adds one.
// `focusTask`: a task to mark and focus once the board shows it (a search hit opened here).
export function Board({ focusTask }: { focusTask: number | null }) {
  const [projects, setProjects] = useState<Project[]>([]);
  const [project, setProject] = useState('');
  const [tasks, setTasks] = useState<Task[]>([]);
  const [title, setTitle] = useState('');
  const [error, setError] = useFreshNotice();
  // The task just moved and which way: its button that way (or the other, at the board's edge)
  // gets the focus in the task's new column, so the keyboard stays on the task.
  const [moved, setMoved] = useState<{ id: number; step: number } | null>(null);
  const board = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    const [p, t] = await Promise.all([api.projects(), api.tasks(project || undefined)]);
    setProjects(p);
    setTasks(t);
  }, [project]);
  useEffect(() => {
    void load().catch(() => undefined);
    const timer = window.setInterval(() => void load().catch(() => undefined), POLL_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  // `after` runs once the board is read again.
  const act = (work: Promise<unknown>, after?: () => void) =>
    void work.then(
      async () => {
        setError('');
        await load();
        after?.();
      },
      (e: Error) => setError(e.message),
    );
  const move = (task: Task, step: number) => {
    const status = TASK_STATUSES[TASK_STATUSES.indexOf(task.status) + step];
    if (status) act(api.updateTask(task.id, { status }), () => setMoved({ id: task.id, step }));
  };
  useEffect(() => {
    if (!moved) return;
    const card = board.current?.querySelector(`[data-task="${moved.id}"]`);
    if (!card) return;
    const [back, on] = [...card.querySelectorAll<HTMLButtonElement>('.task-actions button')];
    const way = moved.step < 0 ? back : on;
    (way && !way.disabled ? way : moved.step < 0 ? on : back)?.focus();
    setMoved(null);
  }, [tasks, moved]);

  const found = tasks.some((t) => t.id === focusTask);
  useEffect(() => {
    if (focusTask === null || !found) return;
    const card = board.current?.querySelector<HTMLElement>(`[data-task="${focusTask}"]`);
    card?.scrollIntoView({ block: 'center' });
    card?.focus();
  }, [focusTask, found]);

  return (
    <main className="board-view">
      <header>
        <h2>Tasks</h2>
        <label>
          project{' '}
          <select value={project} onChange={(e) => setProject(e.target.value)} aria-label="board project">
            <option value="">all</option>
            {projects.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act(api.addTask({ title, ...(project ? { project } : {}) }).then(() => setTitle('')));
          }}
        >
          <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="a new task" aria-label="new task" />
          <button disabled={!title.trim()}>Add</button>
        </form>
        {error && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
      </header>
      <div className="board" ref={board}>
        {TASK_STATUSES.map((status) => (
          <section key={status} className="column" data-column={status}>
            <h3>
              {status} <span className="muted">{tasks.filter((t) => t.status === status).length}</span>
            </h3>
            {tasks
              .filter((t) => t.status === status)
              .map((t) => (
                <article key={t.id} className={t.id === focusTask ? 'task marked' : 'task'} data-task={t.id} tabIndex={t.id === focusTask ? -1 : undefined}>
                  <div>
                    <span className="muted">#{t.id}</span> <strong>{t.title}</strong>
                  </div>
                  <div className="muted">
                    p{t.priority} · {t.project}
                    {t.assignee ? ` · ${t.assignee}` : ''}
                  </div>
                  <div className="task-actions">
                    <button onClick={() => move(t, -1)} disabled={status === TASK_STATUSES[0]} aria-label={`move #${t.id} back`}>
                      ←
                    </button>
                    <button onClick={() => move(t, 1)} disabled={status === TASK_STATUSES[TASK_STATUSES.length - 1]} aria-label={`move #${t.id} on`}>
                      →
                    </button>
                  </div>
                </article>
              ))}
          </section>
        ))}
      </div>
    </main>
  );
}
