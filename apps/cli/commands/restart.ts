import { Command } from 'commander';
import { ALL_APP_NAMES } from '../../core/src/ecosystem/index.js';
import { isCmuxApp, withPm2 } from '../../core/src/pm2/index.js';
import { agentContext } from '../agent-context.js';
import { startCmux } from '../ops/start.js';
import { say } from '../output.js';

export const restartCommand = new Command('restart')
  .description('restart the four PM2 apps with the current configuration; agents keep running')
  .action(async () => {
    const { deps } = agentContext();
    await withPm2(
      async (pm2) => {
        const ours = (await pm2.list()).filter((p) => isCmuxApp(p, undefined, deps.config.home));
        await Promise.all(ours.map((p) => pm2.delete(p.name!)));
        if (ours.length > 0) say(`stopped ${ours.map((p) => p.name).join(', ')}`);
      },
      { spawnDaemon: false },
    );
    const result = await startCmux(deps, say);
    say(`restarted ${ALL_APP_NAMES.length} apps`);
    say(`dashboard: ${result.url}`);
  });
