import { findAgent, queueMessage, type AgentDeps } from '../agents/index.js';
import { CmuxError } from '../core/src/errors/index.js';
import { summarise } from '../core/src/mailbox/index.js';
import { DEFAULT_PROJECT, getProject } from '../projects/index.js';
import { DEFAULT_PRIORITY, type NewTask, type Task, type TaskChange, type TaskStatus } from './schema.js';
import type { TaskStore } from './store.js';

export interface Board {
  // A task given to an agent reaches it as a message, queued by the agents module.
  agents: AgentDeps;
  store: TaskStore;
}

// A task by id; CMUX_ERR_TASK_NOT_FOUND when there is none.
export function getTask({ store }: Pick<Board, 'store'>, id: number): Task {
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

// Gives a task to an agent: the task becomes `assigned` and the agent gets it as a message;
// the task becomes `working` once that message is delivered (see TaskStore). A message that
// cannot be queued puts the task back as it was.
export async function assignTask(board: Board, id: number, agent: string, from = 'user'): Promise<Task> {
  const before = getTask(board, id);
  await findAgent(board.agents, agent);
  const task = board.store.update(id, { assignee: agent, status: 'assigned', assignment: null });
  const message = await queueMessage(board.agents, { from, to: agent, subject: `task #${task.id}: ${summarise(task.title)}`, text: assignmentText(task) }).catch(
    (error: unknown) => {
      board.store.update(id, { assignee: before.assignee, status: before.status, assignment: before.assignment });
      throw error;
    },
  );
  return board.store.linkAssignment(id, message.id);
}

// What an assignment says: the task (its first line is the message's subject, so the agent
// reads it once), then how to report on it by its id.
function assignmentText(task: Task): string {
  return [
    `task #${task.id}: ${task.title}\nProject ${task.project}, priority ${task.priority}.`,
    task.description ?? '',
    `When it is finished, run \`cmux mail done --task ${task.id} "<summary>"\`; if you cannot go on, \`cmux mail blocked --task ${task.id} "<why>"\`. Both update the task on the board.`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

// Changes a task's fields; a new assignee goes through assignTask (so they get the message).
export async function updateTask(board: Board, id: number, change: TaskChange, from = 'user'): Promise<Task> {
  getTask(board, id);
  const { assignee, ...fields } = change;
  if (assignee !== undefined) await findAgent(board.agents, assignee);
  const updated = Object.keys(fields).length > 0 ? board.store.update(id, fields) : getTask(board, id);
  return assignee === undefined || assignee === updated.assignee ? updated : assignTask(board, id, assignee, from);
}

// The task an agent's `cmux mail done|blocked` is about: the one it names (`--task`), which
// must be its own and unfinished, or else the one it works on (TaskStore.currentOf): never one
// whose assignment has not reached it. null when it works on none.
export function taskToReport({ store }: Pick<Board, 'store'>, agent: string, id?: number): Task | null {
  if (id === undefined) return store.currentOf(agent);
  const task = getTask({ store }, id);
  if (task.assignee !== agent) {
    throw new CmuxError('CMUX_ERR_USAGE', `task #${id} is ${task.assignee ? `assigned to ${task.assignee}` : 'assigned to nobody'}, not to ${agent}: \`cmux task list\` shows who has what`, { context: { id } });
  }
  if (!(['assigned', 'working', 'input-required'] as const).includes(task.status as never)) {
    throw new CmuxError('CMUX_ERR_USAGE', `task #${id} is ${task.status} already`, { context: { id } });
  }
  return task;
}

// Moves a task as its agent reported: done, or waiting for input.
export function reportOnTask({ store }: Pick<Board, 'store'>, task: Task, verb: 'done' | 'blocked'): Task {
  return store.update(task.id, { status: verb === 'done' ? 'done' : 'input-required' });
}
