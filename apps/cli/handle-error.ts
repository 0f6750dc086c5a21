import { CommanderError } from 'commander';
import { isCmuxError } from '../core/src/errors/index.js';

// The CLI's one error edge: `cmux: <message>` on stderr and a non-zero exit code, never a
// stack trace for an error cmux understood (CMUX_DEBUG=1 shows it anyway).
export function handleCliError(error: unknown): void {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
    return;
  }
  if (isCmuxError(error)) {
    process.stderr.write(`cmux: ${error.message}\n`);
    if (process.env.CMUX_DEBUG) process.stderr.write(`${error.code}\n${error.stack ?? ''}\n`);
    // Bad input (a 400 over HTTP) is a usage error; anything else is a failure.
    process.exitCode = error.status === 400 ? 2 : 1;
    return;
  }
  process.stderr.write(`cmux: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
