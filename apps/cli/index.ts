import { Command } from 'commander';
import { attachCommand } from './commands/attach.js';
import { doctorCommand } from './commands/doctor.js';
import { logsCommand } from './commands/logs.js';
import { restartCommand } from './commands/restart.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { stopCommand } from './commands/stop.js';
import { handleCliError } from './handle-error.js';

const program = new Command('cmux')
  .description('run a team of AI coding agents in tmux, kept alive by PM2')
  .showHelpAfterError()
  .exitOverride();

for (const command of [startCommand, stopCommand, restartCommand, statusCommand, logsCommand, attachCommand, doctorCommand]) {
  program.addCommand(command.exitOverride());
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  handleCliError(error);
}
