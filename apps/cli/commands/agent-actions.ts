import { Command, InvalidArgumentError } from 'commander';
import { agentDialog, agentTerminal, answerAgent, interruptAgent, killAgent, MAX_TERMINAL_LINES, queueMessage, type AgentTerminal } from '../../agents/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { awaitDelivery } from '../ops/await-delivery.js';
import { assertRunning } from '../ops/health.js';
import { caller } from '../caller.js';
import { agentContext } from '../agent-context.js';
import { parseSeconds } from '../parse-seconds.js';
import { printJson, say } from '../output.js';
import { readTextArgument } from '../text-argument.js';
import { serverOpsFor } from '../remote-ops.js';

export const killCommand = new Command('kill')
  .description('archive an agent\'s terminal into the journal, close its window and unregister it')
  .argument('<agent>')
  .option('--force', 'kill even with uncommitted or unmerged work in its worktree')
  .option('--keep', 'keep its worktree folder (its branch is always kept)')
  .action(async (id: string, opts: { force?: boolean; keep?: boolean }) => {
    const { config, deps } = agentContext();
    const remote = serverOpsFor(config, id);
    const { archive, worktree } = remote ? await remote.ops.kill({ id, ...opts }) : await killAgent(deps, id, opts);
    say(`killed ${id}${archive ? `; its terminal is archived in ${archive}` : ''}`);
    if (worktree) say(`${worktree.kept ? 'kept' : 'removed'} the worktree ${worktree.path}; branch ${worktree.branch} stays`);
  });

// Queues a message from the caller to an agent through the mailbox and, unless told not to,
// waits for the router to report it delivered: only while cmux runs (else nothing is sent), and
// a wait that runs out takes the message back (see awaitDelivery).
async function mailToAgent(id: string, text: string, wait: { wait: boolean; timeout: number }): Promise<void> {
  const { config, deps } = agentContext();
  if (wait.wait) await assertRunning(config, 'nothing was sent');
  const message = await queueMessage(deps, { from: caller(), to: id, text });
  if (!wait.wait) return say(`queued ${message.id} for ${id}`);
  const stored = await awaitDelivery(config, message, wait.timeout * 1000);
  if (stored.status === 'dead') throw new CmuxError('CMUX_ERR_DELIVERY_FAILED', `message ${message.id} to ${id} could not be delivered: ${stored.detail}`);
  say(`delivered ${message.id} to ${id}`);
}

export const sendCommand = new Command('send')
  .description('send a message to an agent through the mailbox and wait until it is typed in (- reads stdin)')
  .argument('<agent>')
  .argument('<text>')
  .option('--no-wait', 'return once the message is queued (also while cmux is stopped: it is typed in after the next start)')
  .option('--timeout <seconds>', 'how long to wait for the delivery; a message not typed in by then is withdrawn', parseSeconds, 120)
  .action(async (id: string, text: string, opts: { wait: boolean; timeout: number }) => {
    await mailToAgent(id, await readTextArgument(text), opts);
  });

export const answerCommand = new Command('answer')
  .description('answer the dialog an agent waits on with one of its choices (its text, or its number); without a choice, show the dialog')
  .argument('<agent>')
  .argument('[choice]')
  .option('--question <text>', 'answer only if the dialog still asks this')
  .option('--json', 'print JSON')
  .action(async (id: string, choice: string | undefined, opts: { question?: string; json?: boolean }) => {
    const { config, deps } = agentContext();
    const remote = serverOpsFor(config, id);
    if (choice === undefined) {
      const dialog = remote ? (await remote.ops.dialog({ id })).dialog : await agentDialog(deps, id);
      if (opts.json) return printJson({ dialog });
      return say(dialog ? `${dialog.question}\n${dialog.choices.map((c, i) => `  ${i + 1}. ${c}${dialog.cursor === i ? '  ←' : ''}`).join('\n')}` : `${id} shows no dialog`);
    }
    const dialog = remote ? await remote.ops.answer({ id, choice, ...(opts.question ? { question: opts.question } : {}) }) : await answerAgent(deps, id, choice, opts.question);
    if (opts.json) printJson({ id, question: dialog.question, choice });
    else say(`answered ${JSON.stringify(dialog.question)} with ${JSON.stringify(choice)}`);
  });

export const interruptCommand = new Command('interrupt')
  .description('stop the agent\'s current turn (Escape for Claude Code)')
  .argument('<agent>')
  .action(async (id: string) => {
    const { config, deps } = agentContext();
    const remote = serverOpsFor(config, id);
    await (remote ? remote.ops.interrupt({ id }) : interruptAgent(deps, id));
    say(`interrupted ${id}`);
  });

export const compactCommand = new Command('compact')
  .description('ask the agent to compact its context (/compact, typed in its turn)')
  .argument('<agent>')
  .option('--no-wait', 'return once the request is queued')
  .option('--timeout <seconds>', 'how long to wait for the delivery; a request not typed in by then is withdrawn', parseSeconds, 120)
  .action(async (id: string, opts: { wait: boolean; timeout: number }) => mailToAgent(id, '/compact', opts));

function parseLines(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TERMINAL_LINES) throw new InvalidArgumentError(`a whole number from 1 to ${MAX_TERMINAL_LINES}`);
  return n;
}

export const terminalCommand = new Command('terminal')
  .description('print the last lines of an agent\'s terminal')
  .argument('<agent>')
  .option('-n, --lines <count>', 'how many lines', parseLines, 200)
  .option('--json', 'print JSON')
  .action(async (id: string, opts: { lines: number; json?: boolean }) => {
    const { config, deps } = agentContext();
    const remote = serverOpsFor(config, id);
    const terminal = remote ? ((await remote.ops.terminal({ id, lines: opts.lines })) as AgentTerminal) : await agentTerminal(deps, id, opts.lines);
    if (opts.json) printJson(terminal);
    else say(terminal.archived ? `(its window is gone: its terminal as archived at ${terminal.archived.at})\n${terminal.text}` : terminal.text);
  });
