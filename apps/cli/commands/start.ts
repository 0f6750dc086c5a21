import { Command } from 'commander';
import { projectForStartFolder } from '../../projects/start-folder.js';
import { loadConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { agentContext } from '../agent-context.js';
import { joinCluster } from '../ops/cluster.js';
import { startCmux } from '../ops/start.js';
import { say } from '../output.js';

export const startCommand = new Command('start')
  .description('start the cmux ecosystem under PM2, bring back the agents of the last stop, and print the dashboard URL')
  .option('--fresh', 'archive the last team instead of bringing it back: only the supervisor starts')
  .option('--join <url>', 'join the cluster whose hub is at nats://host:port (or tls://), written to $CMUX_HOME/cluster.yaml once the hub takes it (docs/CLUSTER.md)')
  .option('--host <name>', "with --join: this host's name in the cluster (lowercase letters, digits and -)")
  .option('--user <name>', "with --join: the hub's user for this host (default: the host's name)")
  .option('--password-file <file>', "with --join: a file holding that user's password (`cmux cluster add-host <name>` on the hub writes one)")
  .action(async (opts: { fresh?: boolean; join?: string; host?: string; user?: string; passwordFile?: string }) => {
    if (!opts.join && (opts.host || opts.user || opts.passwordFile)) throw new CmuxError('CMUX_ERR_USAGE', '--host, --user and --password-file go with --join nats://host:port');
    if (opts.join) await joinCluster(loadConfig(), { url: opts.join, host: opts.host, user: opts.user, passwordFile: opts.passwordFile }, say);
    const { deps } = agentContext();
    const project = await projectForStartFolder(deps, process.cwd());
    if (project) say(`this folder is the project ${project.name} (${project.root}); its supervisor is ${project.supervisor}`);
    const result = await startCmux(deps, say, opts);
    say(result.alreadyRunning ? 'cmux is already running; nothing to start' : 'cmux is running');
    say(`dashboard: ${result.url}`);
  });
