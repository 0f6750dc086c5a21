import { Command, InvalidArgumentError } from 'commander';
import { agentTerminal, compactAgent, interruptAgent, killAgent, MAX_TERMINAL_LINES, sendToAgent } from '../../agents/index.js';
import { CmuxError, type DeliveryResult } from '../../core/src/index.js';
import { agentContext } from '../agent-context.js';
import { printJson, say } from '../output.js';
import { readTextArgument } from '../text-argument.js';

function reportDelivery(agent: string, result: DeliveryResult): void {
  if (result.outcome === 'typed-not-submitted') {
    throw new CmuxError('CMUX_ERR_DELIVERY_FAILED', `the text is in ${agent}'s input but Enter did not submit it (${result.enterPresses} presses)`);
  }
  say(`delivered to ${agent} (${result.bytes} bytes, ${result.method})`);
}

export const killCommand = new Command('kill')
  .description('archive an agent\'s terminal into the journal, close its window and unregister it')
  .argument('<agent>')
  .action(async (id: string) => {
    const { deps } = agentContext();
    const { archive } = await killAgent(deps, id);
    say(`killed ${id}${archive ? `; its terminal is archived in ${archive}` : ''}`);
  });

export const sendCommand = new Command('send')
  .description('type a message into an agent and submit it (- reads the text from stdin)')
  .argument('<agent>')
  .argument('<text>')
  .action(async (id: string, text: string) => {
    const { deps } = agentContext();
    reportDelivery(id, await sendToAgent(deps, id, await readTextArgument(text), 'user'));
  });

export const interruptCommand = new Command('interrupt')
  .description('stop the agent\'s current turn (Escape for Claude Code)')
  .argument('<agent>')
  .action(async (id: string) => {
    const { deps } = agentContext();
    await interruptAgent(deps, id);
    say(`interrupted ${id}`);
  });

export const compactCommand = new Command('compact')
  .description('ask the agent to compact its context (/compact)')
  .argument('<agent>')
  .action(async (id: string) => {
    const { deps } = agentContext();
    reportDelivery(id, await compactAgent(deps, id));
  });

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
    const { deps } = agentContext();
    const text = await agentTerminal(deps, id, opts.lines);
    if (opts.json) printJson({ text });
    else say(text);
  });
