import { findAgent, queueMessage, type AgentDeps } from '../agents/index.js';
import { CmuxError } from '../core/src/errors/index.js';
import { DEFAULT_PROJECT, getProject } from '../projects/index.js';
import { DEFAULT_PRIORITY, type NewTask, type Task, type TaskChange, type TaskStatus } from './schema.js';
import type { TaskStore } from './store.js';

export interface Board {
  // A task given to an agent reaches it as a message, queued by the agents module.
  agents: AgentDeps;
  store: TaskStore;
}

// A task by id; CMUX_ERR_TASK_NOT_FOUND when there is none.
export function getTask({ store }: Board, id: number): Task {
  const task = Number.isSafeInteger(id) && id > 0 ? store.get(id) : null;
  if (!task) throw new CmuxError('CMUX_ERR_TASK_NOT_FOUND', `no task #${id}: see \`cmux task list\``, { context: { id } });
  return task;
}

export function listTasks(board: Board, filter: { project?: string | undefined; status?: TaskStatus | undefined }): Task[] {
  if (filter.project !== undefined) getProject(board.agents.config, filter.project);
  return board.store.list(filter);
}

// Adds a task to a project's board (the default project's when none is named); with an
// assignee it is handed to that agent at once. Everything is checked before anything is written.
export async function addTask(board: Board, input: NewTask, from = 'user'): Promise<Task> {
  const project = getProject(board.agents.config, input.project ?? DEFAULT_PROJECT).name;
  if (input.parent !== undefined) getTask(board, input.parent);
  if (input.assignee !== undefined) await findAgent(board.agents, input.assignee);
  const now = new Date().toISOString();
  const task = board.store.insert({
    project,
    title: input.title,
    description: input.description ?? null,
    status: input.status ?? 'open',
    priority: input.priority ?? DEFAULT_PRIORITY,
    assignee: null,
    parent: input.parent ?? null,
    created: now,
    updated: now,
  });
  return input.assignee === undefined ? task : assignTask(board, task.id, input.assignee, from);
}

// Gives a task to an agent: the task becomes `assigned` and the agent gets it as a message.
// A message that cannot be queued puts the task back as it was.
export async function assignTask(board: Board, id: number, agent: string, from = 'user'): Promise<Task> {
  const before = getTask(board, id);
  await findAgent(board.agents, agent);
  const task = board.store.update(id, { assignee: agent, status: 'assigned' });
  const body = [
    `Task #${task.id} (project ${task.project}, priority ${task.priority}): ${task.title}`,
    task.description ?? '',
    `When it is finished, run \`cmux mail done "<summary>"\`; if you cannot go on, \`cmux mail blocked "<why>"\`. Both update the task on the board.`,
  ].filter(Boolean).join('\n\n');
  await queueMessage(board.agents, { from, to: agent, subject: `task #${task.id}: ${task.title}`.slice(0, 200), text: body }).catch((error: unknown) => {
    board.store.update(id, { assignee: before.assignee, status: before.status });
    throw error;
  });
  return task;
}

// Changes a task's fields; a new assignee goes through assignTask (so they get the message).
export async function updateTask(board: Board, id: number, change: TaskChange, from = 'user'): Promise<Task> {
  getTask(board, id);
  const { assignee, ...fields } = change;
  if (assignee !== undefined) await findAgent(board.agents, assignee);
  const updated = Object.keys(fields).length > 0 ? board.store.update(id, fields) : getTask(board, id);
  return assignee === undefined || assignee === updated.assignee ? updated : assignTask(board, id, assignee, from);
}

// What an agent's `cmux mail done|blocked` does to the task it works on; null without one.
export function reportOnCurrentTask({ store }: Pick<Board, 'store'>, agent: string, verb: 'done' | 'blocked'): Task | null {
  const task = store.currentOf(agent);
  return task ? store.update(task.id, { status: verb === 'done' ? 'done' : 'input-required' }) : null;
}
