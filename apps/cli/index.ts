import { Command } from 'commander';
import { answerCommand, compactCommand, interruptCommand, killCommand, sendCommand, terminalCommand } from './commands/agent-actions.js';
import { agentsCommand } from './commands/agents.js';
import { attachCommand } from './commands/attach.js';
import { doctorCommand } from './commands/doctor.js';
import { healCommand } from './commands/heal.js';
import { journalCommand } from './commands/journal.js';
import { logsCommand } from './commands/logs.js';
import { mailCommand } from './commands/mail.js';
import { openCommand } from './commands/open.js';
import { registryCommand } from './commands/registry.js';
import { projectCommand } from './commands/project.js';
import { restartCommand } from './commands/restart.js';
import { spawnCommand } from './commands/spawn.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { taskCommand } from './commands/task.js';
import { stopCommand } from './commands/stop.js';
import { diffCommand, mergeCommand } from './commands/worktree.js';
import { handleCliError } from './handle-error.js';

// Everything the CLI creates (home, token, mailbox, logs) is the owner's alone.
process.umask(0o077);

const program = new Command('cmux')
  .description('run a team of AI coding agents in tmux, kept alive by PM2')
  .showHelpAfterError()
  .exitOverride();

const commands = [
  startCommand,
  stopCommand,
  restartCommand,
  statusCommand,
  logsCommand,
  attachCommand,
  openCommand,
  agentsCommand,
  spawnCommand,
  killCommand,
  sendCommand,
  interruptCommand,
  answerCommand,
  compactCommand,
  terminalCommand,
  diffCommand,
  mergeCommand,
  mailCommand,
  journalCommand,
  projectCommand,
  taskCommand,
  healCommand,
  registryCommand,
  doctorCommand,
];
for (const command of commands) {
  program.addCommand(command.exitOverride());
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  handleCliError(error);
}
