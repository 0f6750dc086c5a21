import { execa } from 'execa';
import { CmuxError } from '../../core/src/errors/index.js';

const GIT_TIMEOUT_MS = 30_000;
// More output than this is an error rather than memory without bound.
const MAX_GIT_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

// Runs git with an argument array (never a shell line) and a timeout, in `cwd`. Never asks a
// question on a terminal and reads messages in English, so callers can rely on them. A non-zero
// exit is CMUX_ERR_GIT_FAILED with git's stderr, unless `allowFailure` hands it back instead.
export async function git(
  cwd: string,
  args: readonly string[],
  opts: { allowFailure?: boolean; env?: Record<string, string>; stripFinalNewline?: boolean } = {},
): Promise<GitResult> {
  const result = await execa('git', args, {
    cwd,
    reject: false,
    timeout: GIT_TIMEOUT_MS,
    maxBuffer: MAX_GIT_OUTPUT_BYTES,
    stdin: 'ignore',
    stripFinalNewline: opts.stripFinalNewline ?? true,
    env: { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', ...opts.env },
  });
  if (result.timedOut) throw new CmuxError('CMUX_ERR_GIT_FAILED', `git ${args[0]} did not finish within ${GIT_TIMEOUT_MS / 1000} s in ${cwd}`);
  if (result.failed && result.exitCode === undefined) {
    throw new CmuxError('CMUX_ERR_GIT_FAILED', `git could not run: ${result.shortMessage}`, { cause: result.cause });
  }
  const out = { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? 1 };
  if (out.exitCode !== 0 && !opts.allowFailure) {
    throw new CmuxError('CMUX_ERR_GIT_FAILED', `git ${args.join(' ')} failed in ${cwd}: ${out.stderr.trim() || `exit ${out.exitCode}`}`, {
      context: { cwd, args: [...args] },
    });
  }
  return out;
}
