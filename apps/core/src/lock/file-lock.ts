import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { CmuxError } from '../errors/index.js';
import { isAlive } from '../proc/index.js';

const DEFAULT_TIMEOUT_MS = 30_000;
// A holder that died leaves its lock behind; after this long without a refresh it is taken over.
const STALE_MS = 10_000;
// Waiters poll with a doubling pause up to this, so many of them do not starve the holder.
const MAX_PAUSE_MS = 20;
// Every waiter shows it is still trying by touching its ticket; a first one that has not for
// this long (stopped, hung) no longer holds the others back.
const HEAD_PATIENCE_MS = 500;

// Runs `fn` while holding the cross-process lock of `file` (a `<file>.lock` directory, so it
// works for a file that does not exist yet). Waiters queue in arrival order (a ticket each in
// `<file>.queue`); only the first tries the lock. Waits at most `timeoutMs` for the lock.
export async function withFileLock<T>(file: string, fn: () => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const queue = `${file}.queue`;
  mkdirSync(queue, { recursive: true, mode: 0o700 });
  const ticket = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(join(queue, ticket), '', { mode: 0o600 });
  let release: () => Promise<void>;
  try {
    release = await acquire(file, queue, ticket, Date.now() + timeoutMs, timeoutMs);
  } finally {
    // Held (the next in line may start trying) or given up.
    rmSync(join(queue, ticket), { force: true });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

async function acquire(file: string, queue: string, ticket: string, deadline: number, timeoutMs: number): Promise<() => Promise<void>> {
  for (let pause = 1; ; pause = Math.min(MAX_PAUSE_MS, pause * 2)) {
    touch(join(queue, ticket));
    if (myTurn(queue, ticket)) {
      try {
        return await lockfile.lock(file, { realpath: false, stale: STALE_MS, update: STALE_MS / 4, retries: 0 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      }
    }
    if (Date.now() >= deadline) {
      throw new CmuxError('CMUX_ERR_LOCK_TIMEOUT', `could not lock ${file} within ${timeoutMs} ms: another cmux process holds it`, { context: { file } });
    }
    await new Promise((r) => setTimeout(r, pause));
  }
}

// Whether this ticket is the first in the queue, passing over tickets whose process is gone; or
// the first one has stopped trying.
function myTurn(queue: string, ticket: string): boolean {
  for (const head of readdirSync(queue).sort()) {
    if (head === ticket) return true;
    if (!isAlive(Number(head.split('-')[1]))) {
      rmSync(join(queue, head), { force: true });
      continue;
    }
    try {
      return Date.now() - statSync(join(queue, head)).mtimeMs > HEAD_PATIENCE_MS;
    } catch {
      continue; // it just got the lock or gave up
    }
  }
  return true;
}

function touch(path: string): void {
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    // Removed by a waiter that took this process for dead: it still tries, out of line.
  }
}

