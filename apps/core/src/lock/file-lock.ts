import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { CmuxError } from '../errors/index.js';

const DEFAULT_TIMEOUT_MS = 30_000;
// A holder that died leaves its lock behind; after this long without a refresh it is taken over.
const STALE_MS = 10_000;

// Runs `fn` while holding the cross-process lock of `file` (a `<file>.lock` directory, so it
// works for a file that does not exist yet). Waits at most `timeoutMs` for the lock.
export async function withFileLock<T>(file: string, fn: () => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + timeoutMs;
  let release: (() => Promise<void>) | undefined;
  while (!release) {
    try {
      release = await lockfile.lock(file, { realpath: false, stale: STALE_MS, update: STALE_MS / 4, retries: 0 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() >= deadline) {
        throw new CmuxError('CMUX_ERR_LOCK_TIMEOUT', `could not lock ${file} within ${timeoutMs} ms: another cmux process holds it`, {
          context: { file },
        });
      }
      await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
