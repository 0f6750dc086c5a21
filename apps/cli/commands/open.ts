import { Command } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { openDashboardUrl } from '../ops/start.js';
import { say } from '../output.js';

export const openCommand = new Command('open')
  .description('print a fresh dashboard URL with a one-time login code (valid for 5 minutes, once)')
  .action(async () => {
    say(`dashboard: ${await openDashboardUrl(loadConfig())}`);
  });
