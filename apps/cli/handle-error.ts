import { CommanderError } from 'commander';
import { isCmuxError } from '../core/src/errors/index.js';
import { sayError } from './output.js';

// The CLI's one error edge: `cmux: <message>` on stderr and a non-zero exit code, never a
// stack trace for an error cmux understood (CMUX_DEBUG=1 shows it anyway).
export function handleCliError(error: unknown): void {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
    return;
  }
  if (isCmuxError(error)) {
    sayError(`cmux: ${error.message}`);
    if (process.env.CMUX_DEBUG) sayError(`${error.code}\n${error.stack ?? ''}`);
    // Bad input (a 400 over HTTP) is a usage error; anything else is a failure.
    process.exitCode = error.status === 400 ? 2 : 1;
    return;
  }
  sayError(`cmux: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
