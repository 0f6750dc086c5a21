import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { CmuxError } from '../errors/index.js';
import { isAlive } from '../proc/index.js';

const DEFAULT_TIMEOUT_MS = 30_000;
// A holder that died leaves its lock behind; after this long without a refresh it is taken over.
const STALE_MS = 10_000;
// A waiter pauses longer the further back in line it is, up to this, so many of them do not
// starve the holder.
const MAX_PAUSE_MS = 20;
// Every waiter shows it is still trying by touching its ticket; one that has not for this long
// (stopped, hung) no longer holds the others back.
const PATIENCE_MS = 500;

// Runs `fn` while holding the cross-process lock of `file` (a `<file>.lock` directory, so it
// works for a file that does not exist yet). Waiters queue in arrival order (a ticket each in
// `<file>.queue`); only the first tries the lock. Waits at most `timeoutMs` for the lock.
export async function withFileLock<T>(file: string, fn: () => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const queue = `${file}.queue`;
  mkdirSync(queue, { recursive: true, mode: 0o700 });
  // Nobody waiting: try at once, without a ticket.
  const free = readdirSync(queue).length === 0 ? await tryLock(file) : null;
  if (free) return holding(free, fn);
  const ticket = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(join(queue, ticket), '', { mode: 0o600 });
  let release: () => Promise<void>;
  try {
    release = await acquire(file, queue, ticket, Date.now() + timeoutMs, timeoutMs);
  } finally {
    // Held (the next in line may start trying) or given up.
    rmSync(join(queue, ticket), { force: true });
  }
  return holding(release, fn);
}

async function holding<T>(release: () => Promise<void>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

// The lock, or null while another holds it.
async function tryLock(file: string): Promise<(() => Promise<void>) | null> {
  try {
    return await lockfile.lock(file, { realpath: false, stale: STALE_MS, update: STALE_MS / 4, retries: 0 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    return null;
  }
}

async function acquire(file: string, queue: string, ticket: string, deadline: number, timeoutMs: number): Promise<() => Promise<void>> {
  for (;;) {
    touch(join(queue, ticket));
    const ahead = waitersAhead(queue, ticket);
    const release = ahead === 0 ? await tryLock(file) : null;
    if (release) return release;
    if (Date.now() >= deadline) {
      throw new CmuxError('CMUX_ERR_LOCK_TIMEOUT', `could not lock ${file} within ${timeoutMs} ms: another cmux process holds it`, { context: { file } });
    }
    // The first in line (and the next) look often; the further back, the longer the pause.
    await new Promise((r) => setTimeout(r, Math.min(MAX_PAUSE_MS, 2 ** Math.max(0, ahead - 1))));
  }
}

// How many waiters are ahead of this ticket, passing over tickets whose process is gone (they
// are removed) and waiters that stopped trying.
function waitersAhead(queue: string, ticket: string): number {
  let ahead = 0;
  for (const other of readdirSync(queue).sort()) {
    if (other === ticket) return ahead;
    const path = join(queue, other);
    if (!isAlive(Number(other.split('-')[1]))) {
      rmSync(path, { force: true });
      continue;
    }
    try {
      if (Date.now() - statSync(path).mtimeMs <= PATIENCE_MS) ahead += 1;
    } catch {
      // It just got the lock or gave up.
    }
  }
  return ahead;
}

function touch(path: string): void {
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    // Removed by a waiter that took this process for dead: it still tries, out of line.
  }
}
