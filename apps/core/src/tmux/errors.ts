import { CmuxError, type ErrorCode } from '../errors/index.js';

export const TMUX_INSTALL_HINT =
  'install it: `sudo apt-get install tmux` (Debian/Ubuntu), `sudo dnf install tmux` (Fedora) or `brew install tmux` (macOS)';

// What a failed tmux call carries, in execa's shape: the command, how it ended, and why.
export interface TmuxFailure {
  argv: readonly string[];
  exitCode?: number | undefined;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  missingBinary: boolean;
  // The control-mode connection the command went down ended before tmux answered.
  connectionLost?: boolean;
  cause?: unknown;
}

const NO_SERVER = /no server running|error connecting to|server exited unexpectedly|lost server/i;
const NOT_FOUND = /can't find (window|session|pane|buffer)|no such (window|session|pane|buffer)|(window|session|pane) not found|no buffer/i;

// Turns a failed tmux call into a CmuxError whose code says what the caller should do:
// retry a timeout, keep a message pending on a missing target, start a server that is not there.
export function tmuxError(failure: TmuxFailure): CmuxError {
  const command = failure.argv.join(' ');
  const stderr = failure.stderr.trim();
  let code: ErrorCode = 'CMUX_ERR_TMUX_FAILED';
  let reason = `tmux failed (exit ${failure.exitCode ?? '?'})`;
  if (failure.missingBinary) {
    code = 'CMUX_ERR_TMUX_MISSING';
    reason = `tmux is not installed or not on PATH; ${TMUX_INSTALL_HINT}`;
  } else if (failure.timedOut) {
    code = 'CMUX_ERR_TMUX_TIMEOUT';
    reason = `tmux did not answer within ${failure.durationMs} ms`;
  } else if (failure.connectionLost) {
    // Not NO_SERVER: the server may well run (its session was closed, the connection was
    // reset), and a caller that reads NO_SERVER as "no windows" would lose every agent.
    reason = 'the tmux control connection closed before tmux answered (the command may have run)';
  } else if (NO_SERVER.test(stderr)) {
    code = 'CMUX_ERR_TMUX_NO_SERVER';
    reason = 'no tmux server is running on the cmux socket';
  } else if (NOT_FOUND.test(stderr)) {
    code = 'CMUX_ERR_TMUX_TARGET_NOT_FOUND';
    reason = 'tmux target not found';
  }
  // A missing tmux is one line a person acts on; the other failures carry the command.
  const message = failure.missingBinary ? reason : [reason, `command: ${command}`, stderr && `stderr: ${stderr}`].filter(Boolean).join('\n');
  return new CmuxError(code, message, {
    cause: failure.cause,
    context: {
      argv: failure.argv,
      exitCode: failure.exitCode,
      stderr,
      durationMs: failure.durationMs,
      timedOut: failure.timedOut,
    },
  });
}
