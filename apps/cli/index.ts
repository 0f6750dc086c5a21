import { handleCliError } from './handle-error.js';
import { buildProgram } from './program.js';

// Everything the CLI creates (home, token, mailbox, logs) is the owner's alone.
process.umask(0o077);

try {
  await (await buildProgram(process.argv[2])).parseAsync(process.argv);
} catch (error) {
  handleCliError(error);
}
