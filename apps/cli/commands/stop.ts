import { Command } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { stopCmux } from '../ops/stop.js';
import { say } from '../output.js';

export const stopCommand = new Command('stop')
  .description('stop the PM2 apps, leftover listeners on the port, the cmux tmux server and an idle PM2 daemon')
  .action(async () => {
    await stopCmux(loadConfig(), say);
  });
