import { Command } from 'commander';
import { agentContext } from '../agent-context.js';
import { startCmux } from '../ops/start.js';
import { say } from '../output.js';

export const startCommand = new Command('start')
  .description('start the cmux ecosystem under PM2, bring back the agents of the last stop, and print the dashboard URL')
  .option('--fresh', 'archive the last team instead of bringing it back: only the supervisor starts')
  .action(async (opts: { fresh?: boolean }) => {
    const result = await startCmux(agentContext().deps, say, opts);
    say(result.alreadyRunning ? 'cmux is already running; nothing to start' : 'cmux is running');
    say(`dashboard: ${result.url}`);
  });
