import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, futimesSync, lstatSync, lutimesSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { CmuxError } from '../errors/index.js';
import { assertHomePath, createHomeFile, ensureHomeFolder, overwriteHomeFile, readHomeFile } from '../fs/index.js';
import { isAlive } from '../proc/index.js';

const DEFAULT_TIMEOUT_MS = 30_000;
// A holder that died leaves its lock behind; after this long without a refresh it is taken over.
const STALE_MS = 10_000;
// How long the lock of a holder that died must have been still before it is taken over.
const DEAD_HOLDER_STILL_MS = 2_000;
// Waiters pause about a millisecond for each waiter trying alongside them, up to this, so many
// of them do not starve the holder.
const MAX_PAUSE_MS = 50;
// Waiters that came within this of each other are not kept in order.
const FAIR_GRACE_MS = 100;
// Every waiter shows it is still trying by touching its ticket; one that has not for this long
// (stopped, hung) no longer holds the others back.
const PATIENCE_MS = 500;

export interface FileLockOptions {
  // How long to wait for the lock (30 s unless given).
  timeoutMs?: number;
  // Note the holder (`<file>.holder`), so that a lock left by a process that died is taken over
  // within DEAD_HOLDER_STILL_MS rather than after STALE_MS: for locks held through long acts,
  // where waiting out the staleness would be felt. It costs a write per acquisition, so hot
  // short locks go without.
  noteHolder?: boolean;
}

// Runs `fn` while holding the cross-process lock of `file` (a `<file>.lock` directory, so it
// works for a file that does not exist yet). Waiters leave a ticket each in `<file>.queue`, so
// none is passed over for long by later ones (see lookAtQueue). Waits at most `timeoutMs`.
// `home` is the folder the lock lives in (CMUX_HOME for cmux's state): the lock's own files,
// and the folders from `home` down to them, are made and opened without following a link.
export async function withFileLock<T>(home: string, file: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lock: Lock = { home, file, noteHolder: opts.noteHolder ?? false };
  const queue = `${file}.queue`;
  ensureHomeFolder(home, queue);
  assertLockFolder(lock);
  // Nobody waiting: try at once, without a ticket.
  const free = readdirSync(queue).length === 0 ? await tryLock(lock) : null;
  if (free) return holding(free, fn);
  const ticket = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
  createHomeFile(home, join(queue, ticket), '');
  let release: () => Promise<void>;
  try {
    release = await acquire(lock, queue, ticket, Date.now() + timeoutMs, timeoutMs);
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

interface Lock {
  home: string;
  file: string;
  noteHolder: boolean;
}

// A link or file planted as the lock directory would pass for a lock held forever (or its
// target's time for the holder's): says what it is instead. Checked before the first try and
// when trying ends badly, not at every try: many waiters try about once a millisecond.
function assertLockFolder({ home, file }: Lock): void {
  assertHomePath(home, `${file}.lock`, 'folder');
}

// The lock, or null while another holds it.
async function tryLock(lock: Lock): Promise<(() => Promise<void>) | null> {
  const { home, file, noteHolder } = lock;
  const dir = `${file}.lock`;
  const take = async () => {
    const release = await lockfile.lock(file, { realpath: false, stale: STALE_MS, update: STALE_MS / 4, retries: 0 });
    try {
      if (noteHolder) overwriteHomeFile(home, `${file}.holder`, `${process.pid} ${lstatSync(dir).ino}`);
    } catch (error) {
      await release().catch(() => undefined);
      throw error;
    }
    return release;
  };
  try {
    return await take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw lockFailure(lock, error);
    if (!noteHolder || !expireIfHolderDied(home, file)) return null;
  }
  try {
    return await take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw lockFailure(lock, error);
    return null;
  }
}

// What to throw when taking the lock failed otherwise than by finding it held: what was
// planted as its folder, if that is why.
function lockFailure(lock: Lock, error: unknown): unknown {
  assertLockFolder(lock);
  return error;
}

// When the noted holder of the lock is a process that is gone, ages the lock directory it left
// so that proper-lockfile takes it over as stale. The directory is opened and checked before
// its time is set through the same handle: its inode must be the one the holder noted, and it
// must have been still for DEAD_HOLDER_STILL_MS — a lock just taken by another process (its
// directory may reuse the inode) has a fresh time and has its own note written by then.
// True when it aged the lock.
function expireIfHolderDied(home: string, file: string): boolean {
  const [pid = 0, ino = 0] = (readHomeFile(home, `${file}.holder`) ?? '').split(' ').map(Number);
  if (!Number.isSafeInteger(pid) || pid <= 0 || isAlive(pid)) return false;
  let fd: number;
  try {
    fd = openSync(`${file}.lock`, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.ino !== ino || stat.mtimeMs > Date.now() - DEAD_HOLDER_STILL_MS) return false;
    const old = new Date(Date.now() - 2 * STALE_MS);
    futimesSync(fd, old, old);
    return true;
  } finally {
    closeSync(fd);
  }
}

async function acquire(lock: Lock, queue: string, ticket: string, deadline: number, timeoutMs: number): Promise<() => Promise<void>> {
  for (;;) {
    touch(join(queue, ticket));
    const { rivals, deferred } = lookAtQueue(queue, ticket);
    const release = deferred ? null : await tryLock(lock);
    if (release) return release;
    if (Date.now() >= deadline) {
      assertLockFolder(lock);
      throw new CmuxError('CMUX_ERR_LOCK_TIMEOUT', `could not lock ${lock.file} within ${timeoutMs} ms: another cmux process holds it`, { context: { file: lock.file } });
    }
    // About one try a millisecond among the waiters that may try, however many wait: a lock
    // let go is taken again within a millisecond or two, not after a pause sized for all.
    await new Promise((r) => setTimeout(r, Math.min(MAX_PAUSE_MS, rivals) * (0.5 + Math.random())));
  }
}

// How many waiters try alongside this one (those that came within FAIR_GRACE_MS of the oldest
// when this one is among them, else all), and whether this waiter must let the oldest go first:
// it has waited more than FAIR_GRACE_MS longer, is alive and still trying. Waiters that came
// within the grace of each other take turns as they come (a strict order would hand every
// release to one process that a busy machine may not run for a while).
function lookAtQueue(queue: string, ticket: string): { rivals: number; deferred: boolean } {
  const tickets = readdirSync(queue).sort();
  const oldest = tickets[0];
  if (!oldest || oldest === ticket || arrivedAt(ticket) - arrivedAt(oldest) <= FAIR_GRACE_MS) {
    return { rivals: tickets.filter((t) => arrivedAt(t) - arrivedAt(oldest ?? t) <= FAIR_GRACE_MS).length, deferred: false };
  }
  const path = join(queue, oldest);
  if (!isAlive(Number(oldest.split('-')[1]))) {
    rmSync(path, { force: true });
    return { rivals: tickets.length - 1, deferred: false };
  }
  try {
    return { rivals: tickets.length, deferred: Date.now() - lstatSync(path).mtimeMs <= PATIENCE_MS };
  } catch {
    return { rivals: tickets.length - 1, deferred: false }; // it just got the lock or gave up
  }
}

function arrivedAt(ticket: string): number {
  return Number(ticket.split('-')[0]);
}

function touch(path: string): void {
  const now = new Date();
  try {
    lutimesSync(path, now, now);
  } catch {
    // Removed by a waiter that took this process for dead: it still tries, out of line.
  }
}
