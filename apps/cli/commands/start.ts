import { Command } from 'commander';
import { agentContext } from '../agent-context.js';
import { startCmux } from '../ops/start.js';
import { say } from '../output.js';

export const startCommand = new Command('start')
  .description('start the cmux ecosystem under PM2 and print the dashboard URL')
  .action(async () => {
    const result = await startCmux(agentContext().deps, say);
    say(result.alreadyRunning ? 'cmux is already running; nothing to start' : 'cmux is running');
    say(`dashboard: ${result.url}`);
  });
