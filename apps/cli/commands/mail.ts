import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { openHistory } from '../../core/src/history/index.js';
import { appendMessage } from '../../core/src/mailbox/index.js';
import { openTasks, reportToSupervisor, type TaskStore } from '../../tasks/index.js';
import { caller, windowAgent } from '../caller.js';
import { parseTaskId } from '../parse-task-id.js';
import { printJson, say } from '../output.js';
import { readTextArgument } from '../text-argument.js';

const send = new Command('send')
  .description('append a message to the mailbox; the router delivers it')
  .requiredOption('--to <address>', 'user, <agent>, <session>:<agent>')
  .requiredOption('--subject <text>', 'one line that says what it is about')
  .option('--from <address>', 'the sender (default: this agent inside an agent window, else user)')
  .option('--body <text>', 'the message (- reads stdin)')
  .option('--json', 'print the stored message as JSON')
  .action(async (opts: { to: string; subject: string; from?: string; body?: string; json?: boolean }) => {
    const config = loadConfig();
    const from = opts.from ?? caller();
    const body = opts.body === undefined ? undefined : await readTextArgument(opts.body);
    const message = await appendMessage(config.home, { from, to: opts.to, subject: opts.subject, ...(body === undefined ? {} : { body }) });
    if (opts.json) printJson(message);
    else say(`queued ${message.id} ${message.from} -> ${message.to}`);
  });

// The agent this command runs in: only an agent's own window knows who it is.
function thisAgent(): string {
  const name = windowAgent();
  if (!name) throw new CmuxError('CMUX_ERR_USAGE', 'run this inside an agent window (CMUX_AGENT_NAME is not set), or use `cmux mail send --from <agent>`');
  return name;
}

// `cmux mail done|blocked|status <text>`: an agent's report to its supervisor, the sender taken
// from the window it runs in. `done` and `blocked` move a task on the board: the one named with
// `--task`, else the one the agent works on; the report says which, or that it moved none.
function report(verb: 'done' | 'blocked' | 'status', what: string): Command {
  const command = new Command(verb)
    .description(`tell the supervisor ${what} (inside an agent window; - reads stdin)`)
    .argument('<text>')
    .option('--json', 'print the stored message as JSON (with the task it moved, for done and blocked)');
  if (verb !== 'status') command.option('--task <id>', 'the task this is about (default: the one you work on: of the tasks you have taken, the first)', parseTaskId);
  return command.action(async (text: string, opts: { json?: boolean; task?: number }) => {
    const from = thisAgent();
    const body = await readTextArgument(text);
    const config = loadConfig();
    const board = openTasks(config.home);
    try {
      const { message, task } = await reportToSupervisor(config, board, from, verb, body, opts.task);
      if (verb === 'status') return opts.json ? printJson(message) : say(`queued ${message.id} ${message.from} -> ${message.to}`);
      if (opts.json) return printJson({ ...message, task });
      say(`queued ${message.id} ${message.from} -> ${message.to}`);
      say(task ? `task #${task.id} ${task.status}` : noTaskMoved(board, from));
    } finally {
      board.close();
    }
  });
}

// Why a report moved no task: the agent works on none, perhaps with tasks still on their way.
function noTaskMoved(store: TaskStore, agent: string): string {
  const waiting = store.notTakenBy(agent).map((t) => `#${t.id}`);
  const on = waiting.length > 0 ? ` (${waiting.join(', ')} assigned to ${agent} but not delivered yet: ${waiting.length === 1 ? 'it stays' : 'they stay'} assigned)` : '';
  return `no task moved: ${agent} works on no task${on}`;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('a whole number from 1 to 500');
  return n;
}

const read = new Command('read')
  .description('the latest messages to and from this agent (or --agent), newest last')
  .option('--agent <name>', 'whose messages (default: this agent)')
  .option('-n, --limit <count>', 'how many', parseLimit, 20)
  .option('--json', 'print JSON')
  .action((opts: { agent?: string; limit: number; json?: boolean }) => {
    const agent = opts.agent ?? thisAgent();
    const history = openHistory(loadConfig().home);
    try {
      const messages = history.page({ agent, limit: opts.limit }).reverse();
      if (opts.json) return printJson(messages);
      if (messages.length === 0) return say(`no messages for ${agent}`);
      for (const m of messages) say(`${m.ts} ${m.from} -> ${m.to} [${m.status}] ${m.subject}${m.body && m.body !== m.subject ? `\n${m.body}\n` : ''}`);
    } finally {
      history.close();
    }
  });

export const mailCommand = new Command('mail')
  .description('the mailbox')
  .addCommand(send.exitOverride())
  .addCommand(report('done', 'your task is finished, with a summary').exitOverride())
  .addCommand(report('blocked', 'you cannot go on, and why').exitOverride())
  .addCommand(report('status', 'how the work goes').exitOverride())
  .addCommand(read.exitOverride());
