import { Command } from 'commander';
import { projectForStartFolder } from '../../projects/start-folder.js';
import { agentContext } from '../agent-context.js';
import { startCmux } from '../ops/start.js';
import { say } from '../output.js';

export const startCommand = new Command('start')
  .description('start the cmux ecosystem under PM2, bring back the agents of the last stop, and print the dashboard URL')
  .option('--fresh', 'archive the last team instead of bringing it back: only the supervisor starts')
  .action(async (opts: { fresh?: boolean }) => {
    const { deps } = agentContext();
    const project = await projectForStartFolder(deps, process.cwd());
    if (project) say(`this folder is the project ${project.name} (${project.root}); its supervisor is ${project.supervisor}`);
    const result = await startCmux(deps, say, opts);
    say(result.alreadyRunning ? 'cmux is already running; nothing to start' : 'cmux is running');
    say(`dashboard: ${result.url}`);
  });
