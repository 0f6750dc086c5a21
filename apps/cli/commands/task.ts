import { Command, InvalidArgumentError } from 'commander';
import { agentContext } from '../agent-context.js';
import { caller, windowAgent } from '../caller.js';
import { parseInput } from '../../core/src/errors/index.js';
import { addTask, assignTask, getTask, listTasks, newTaskSchema, openTasks, taskChangeSchema, taskStatusSchema, updateTask, type Board, type Task } from '../../tasks/index.js';
import { callerProject } from '../../projects/agents.js';
import { printJson, say } from '../output.js';
import { parseTaskId } from '../parse-task-id.js';

// Runs `fn` on the board of this cmux (the history database), closed afterwards.
async function withBoard<T>(fn: (board: Board) => Promise<T> | T): Promise<T> {
  const { config, deps } = agentContext();
  const board = { agents: deps, store: openTasks(config.home) };
  try {
    return await fn(board);
  } finally {
    board.store.close();
  }
}

function priority(value: string): number {
  if (!/^[1-5]$/.test(value)) throw new InvalidArgumentError('1 (most urgent) to 5');
  return Number(value);
}

function line(t: Task): string {
  return `#${String(t.id).padEnd(4)} ${t.status.padEnd(14)} p${t.priority} ${t.project.padEnd(14)} ${(t.assignee ?? '-').padEnd(16)} ${t.title}`;
}

function print(task: Task, json: boolean | undefined): void {
  if (json) return printJson(task);
  say(line(task));
  if (task.description) say(task.description);
}

const add = new Command('add')
  .description('add a task to a project\'s board')
  .argument('<title>')
  .option('--project <name>', 'the project (default: the project of the agent this runs in, else the default project)')
  .option('--description <text>', 'what is to be done, in full')
  .option('--priority <1-5>', '1 is the most urgent (default 3)', priority)
  .option('--assignee <agent>', 'give it to this agent at once (it gets the task as a message)')
  .option('--parent <id>', 'the task this one is part of', parseTaskId)
  .option('--json', 'print the task as JSON')
  .action(async (title: string, opts: { project?: string; description?: string; priority?: number; assignee?: string; parent?: number; json?: boolean }) => {
    const { json, ...fields } = opts;
    const task = await withBoard(async (board) => {
      const project = fields.project ?? (await callerProject(board.agents.config, windowAgent()));
      return addTask(board, parseInput(newTaskSchema, { ...fields, title, ...(project ? { project } : {}) }, 'task'), caller());
    });
    print(task, json);
  });

const list = new Command('list')
  .description('the board: tasks by priority')
  .option('--project <name>', 'only this project\'s')
  .option('--status <status>', 'only tasks in this status')
  .option('--json', 'print JSON')
  .action(async (opts: { project?: string; status?: string; json?: boolean }) => {
    const status = opts.status === undefined ? undefined : parseInput(taskStatusSchema, opts.status, 'status');
    const tasks = await withBoard((board) => listTasks(board, { project: opts.project, status }));
    if (opts.json) return printJson(tasks);
    if (tasks.length === 0) return say('no tasks');
    for (const t of tasks) say(line(t));
  });

const show = new Command('show')
  .description('one task')
  .argument('<id>', 'the task id', parseTaskId)
  .option('--json', 'print JSON')
  .action(async (id: number, opts: { json?: boolean }) => print(await withBoard((board) => getTask(board, id)), opts.json));

const assign = new Command('assign')
  .description('give a task to an agent: it gets the task as a message')
  .argument('<id>', 'the task id', parseTaskId)
  .argument('<agent>')
  .option('--json', 'print the task as JSON')
  .action(async (id: number, agent: string, opts: { json?: boolean }) => print(await withBoard((board) => assignTask(board, id, agent, caller())), opts.json));

const update = new Command('update')
  .description('change a task: its status, title, description, priority or assignee')
  .argument('<id>', 'the task id', parseTaskId)
  .option('--status <status>', 'open, assigned, working, input-required, done or failed')
  .option('--title <text>')
  .option('--description <text>')
  .option('--priority <1-5>', '1 is the most urgent', priority)
  .option('--assignee <agent>')
  .option('--json', 'print the task as JSON')
  .action(async (id: number, opts: { status?: string; title?: string; description?: string; priority?: number; assignee?: string; json?: boolean }) => {
    const { json, ...fields } = opts;
    print(await withBoard((board) => updateTask(board, id, parseInput(taskChangeSchema, fields, 'task'), caller())), json);
  });

const done = new Command('done')
  .description('mark a task done')
  .argument('<id>', 'the task id', parseTaskId)
  .option('--json', 'print the task as JSON')
  .action(async (id: number, opts: { json?: boolean }) => print(await withBoard((board) => updateTask(board, id, { status: 'done' })), opts.json));

export const taskCommand = new Command('task')
  .description('the task board: tasks of each project, from open to done')
  .addCommand(add.exitOverride())
  .addCommand(list.exitOverride())
  .addCommand(show.exitOverride())
  .addCommand(assign.exitOverride())
  .addCommand(update.exitOverride())
  .addCommand(done.exitOverride());
