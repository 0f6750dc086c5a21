import { Command } from 'commander';
import { setRawOutput } from './output.js';

// Each command's module, in the order help lists them, loaded only when needed: a CLI run
// parses the module of its own command alone (fifty `cmux spawn` at once on two cores each
// pay only for spawn's imports). Help, a version, an option first or an unknown word loads
// every command, so commander's help and suggestions stay whole.
const agentActions = () => import('./commands/agent-actions.js');
const worktree = () => import('./commands/worktree.js');
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Command>]> = [
  ['start', async () => (await import('./commands/start.js')).startCommand],
  ['stop', async () => (await import('./commands/stop.js')).stopCommand],
  ['restart', async () => (await import('./commands/restart.js')).restartCommand],
  ['status', async () => (await import('./commands/status.js')).statusCommand],
  ['logs', async () => (await import('./commands/logs.js')).logsCommand],
  ['attach', async () => (await import('./commands/attach.js')).attachCommand],
  ['open', async () => (await import('./commands/open.js')).openCommand],
  ['sessions', async () => (await import('./commands/sessions.js')).sessionsCommand],
  ['agents', async () => (await import('./commands/agents.js')).agentsCommand],
  ['spawn', async () => (await import('./commands/spawn.js')).spawnCommand],
  ['kill', async () => (await agentActions()).killCommand],
  ['send', async () => (await agentActions()).sendCommand],
  ['interrupt', async () => (await agentActions()).interruptCommand],
  ['answer', async () => (await agentActions()).answerCommand],
  ['compact', async () => (await agentActions()).compactCommand],
  ['terminal', async () => (await agentActions()).terminalCommand],
  ['diff', async () => (await worktree()).diffCommand],
  ['merge', async () => (await worktree()).mergeCommand],
  ['mail', async () => (await import('./commands/mail.js')).mailCommand],
  ['journal', async () => (await import('./commands/journal.js')).journalCommand],
  ['project', async () => (await import('./commands/project.js')).projectCommand],
  ['task', async () => (await import('./commands/task.js')).taskCommand],
  ['heal', async () => (await import('./commands/heal.js')).healCommand],
  ['registry', async () => (await import('./commands/registry.js')).registryCommand],
  ['cluster', async () => (await import('./commands/cluster.js')).clusterCommand],
  ['doctor', async () => (await import('./commands/doctor.js')).doctorCommand],
  ['usage', async () => (await import('./commands/usage.js')).usageCommand],
  ['budget', async () => (await import('./commands/budget.js')).budgetCommand],
  ['mcp', async () => (await import('./commands/mcp.js')).mcpCommand],
];

// The `cmux` program without running it: with `command`, only that command's module is loaded
// when it is one of cmux's; otherwise (help, an unknown word, docs/REFERENCE.md's test) all.
export async function buildProgram(command?: string): Promise<Command> {
  const program = new Command('cmux')
    .description('run a team of AI coding agents in tmux, kept alive by PM2')
    .option('--raw', 'print text from storage, agents and logs exactly as stored, escape sequences and all (by default control characters are shown, e.g. ESC as ^[)')
    .hook('preAction', (cmux) => setRawOutput(cmux.opts<{ raw?: boolean }>().raw === true))
    .showHelpAfterError()
    .exitOverride();
  const named = COMMANDS.filter(([name]) => name === command);
  for (const [, load] of named.length > 0 ? named : COMMANDS) {
    program.addCommand((await load()).exitOverride());
  }
  return program;
}
