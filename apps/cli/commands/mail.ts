import { Command } from 'commander';
import { appendMessage, loadConfig } from '../../core/src/index.js';
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
    const from = opts.from ?? process.env.CMUX_AGENT_NAME ?? 'user';
    const body = opts.body === undefined ? undefined : await readTextArgument(opts.body);
    const message = await appendMessage(config.home, { from, to: opts.to, subject: opts.subject, ...(body === undefined ? {} : { body }) });
    if (opts.json) printJson(message);
    else say(`queued ${message.id} ${message.from} -> ${message.to}`);
  });

export const mailCommand = new Command('mail').description('the mailbox').addCommand(send.exitOverride());
