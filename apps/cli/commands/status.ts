import { Command } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { collectStatus, formatStatus } from '../ops/status.js';
import { printJson, say } from '../output.js';

export const statusCommand = new Command('status')
  .description('show the PM2 apps, health, the tmux server and the agent count')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const status = await collectStatus(loadConfig());
    if (opts.json) printJson(status);
    else say(formatStatus(status));
  });
