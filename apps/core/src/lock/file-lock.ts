import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { CmuxError } from '../errors/index.js';
import { isAlive } from '../proc/index.js';

const DEFAULT_TIMEOUT_MS = 30_000;
// A holder that died leaves its lock behind; after this long without a refresh it is taken over.
const STALE_MS = 10_000;
// Waiters pause about a millisecond for each waiter, up to this, so many of them do not starve
// the holder.
const MAX_PAUSE_MS = 50;
// Waiters that came within this of each other are not kept in order.
const FAIR_GRACE_MS = 100;
// Every waiter shows it is still trying by touching its ticket; one that has not for this long
// (stopped, hung) no longer holds the others back.
const PATIENCE_MS = 500;

// Runs `fn` while holding the cross-process lock of `file` (a `<file>.lock` directory, so it
// works for a file that does not exist yet). Waiters leave a ticket each in `<file>.queue`, so
// none is passed over for long by later ones (see lookAtQueue). Waits at most `timeoutMs`.
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
    const { waiting, deferred } = lookAtQueue(queue, ticket);
    const release = deferred ? null : await tryLock(file);
    if (release) return release;
    if (Date.now() >= deadline) {
      throw new CmuxError('CMUX_ERR_LOCK_TIMEOUT', `could not lock ${file} within ${timeoutMs} ms: another cmux process holds it`, { context: { file } });
    }
    // About one try a millisecond among all waiters, however many there are.
    await new Promise((r) => setTimeout(r, Math.min(MAX_PAUSE_MS, waiting) * (0.5 + Math.random())));
  }
}

// How many wait, and whether this waiter must let the oldest go first: it has waited more than
// FAIR_GRACE_MS longer, is alive and still trying. Waiters that came within the grace of each
// other take turns as they come (a strict order would hand every release to one process that
// a busy machine may not run for a while).
function lookAtQueue(queue: string, ticket: string): { waiting: number; deferred: boolean } {
  const tickets = readdirSync(queue).sort();
  const oldest = tickets[0];
  if (!oldest || oldest === ticket || arrivedAt(ticket) - arrivedAt(oldest) <= FAIR_GRACE_MS) return { waiting: tickets.length, deferred: false };
  const path = join(queue, oldest);
  if (!isAlive(Number(oldest.split('-')[1]))) {
    rmSync(path, { force: true });
    return { waiting: tickets.length - 1, deferred: false };
  }
  try {
    return { waiting: tickets.length, deferred: Date.now() - statSync(path).mtimeMs <= PATIENCE_MS };
  } catch {
    return { waiting: tickets.length - 1, deferred: false }; // it just got the lock or gave up
  }
}

function arrivedAt(ticket: string): number {
  return Number(ticket.split('-')[0]);
}

function touch(path: string): void {
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    // Removed by a waiter that took this process for dead: it still tries, out of line.
  }
}
