import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProcessDescription, StartOptions } from 'pm2';
import { CmuxError } from '../errors/index.js';
import { createSerialQueue } from '../input/index.js';
import { isAlive, waitForExit } from '../proc/index.js';

type Pm2 = typeof import('pm2');

// PM2's home as PM2 itself resolves it.
export function pm2Home(env: NodeJS.ProcessEnv = process.env): string {
  return env.PM2_HOME || join(env.HOME || homedir(), '.pm2');
}

// The pid of the PM2 daemon for this PM2_HOME, or null when none runs. Reads pm2.pid, so it
// never starts a daemon (every PM2 client call does).
export function daemonPid(env: NodeJS.ProcessEnv = process.env): number | null {
  try {
    const pid = Number(readFileSync(join(pm2Home(env), 'pm2.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

// pm2 creates $PM2_HOME the moment it is loaded, so it is loaded late, after the caller has
// settled PM2_HOME, and only by the code paths that really talk to PM2.
async function loadPm2(): Promise<Pm2> {
  return (await import('pm2')).default;
}

export interface Pm2Session {
  list(): Promise<ProcessDescription[]>;
  start(app: StartOptions): Promise<void>;
  delete(name: string): Promise<void>;
  restart(name: string): Promise<void>;
}

// PM2's client is one per process: a second connect/disconnect while a first is under way
// closes the first one's socket. Sessions in one process therefore take turns.
const sessions = createSerialQueue();

// Connects to the PM2 daemon (starting it when `spawnDaemon`), runs `fn`, and disconnects.
// Returns null without connecting when no daemon runs and none may be started.
export function withPm2<T>(fn: (pm2: Pm2Session) => Promise<T>, opts: { spawnDaemon: boolean }): Promise<T | null> {
  return sessions.run('pm2', () => session(fn, opts));
}

async function session<T>(fn: (pm2: Pm2Session) => Promise<T>, opts: { spawnDaemon: boolean }): Promise<T | null> {
  if (!opts.spawnDaemon && daemonPid() === null) return null;
  const pm2 = await loadPm2();
  await wrap('connect to the PM2 daemon', promisify(pm2.connect.bind(pm2))());
  try {
    return await fn({
      list: () => wrap('list PM2 apps', promisify(pm2.list.bind(pm2))()),
      start: (app) => wrap(`start ${app.name}`, promisify<StartOptions, unknown>(pm2.start.bind(pm2))(app)).then(() => undefined),
      delete: (name) => wrap(`delete ${name}`, promisify<string, unknown>(pm2.delete.bind(pm2))(name)).then(() => undefined),
      restart: (name) =>
        wrap(`restart ${name}`, promisify<string, unknown>(pm2.restart.bind(pm2))(name)).then(() => undefined),
    });
  } finally {
    pm2.disconnect();
  }
}

// Stops the PM2 daemon through its own graceful-exit path (SIGTERM runs what `pm2 kill` runs:
// delete what is left, remove pm2.pid, exit) and waits until it is gone, SIGKILL after
// `timeoutMs`. The API's killDaemon is not used: it leaves its caller hanging.
export async function killDaemon(timeoutMs: number): Promise<number | null> {
  const pid = daemonPid();
  if (pid === null) return null;
  process.kill(pid, 'SIGTERM');
  if (!(await waitForExit([pid], timeoutMs))) {
    process.kill(pid, 'SIGKILL');
    await waitForExit([pid], 2_000);
  }
  if (isAlive(pid)) throw new CmuxError('CMUX_ERR_PM2_FAILED', `the PM2 daemon (pid ${pid}) did not stop, even after SIGKILL`);
  return pid;
}

// `promise`, its failure as CMUX_ERR_PM2_FAILED saying what PM2 could not do.
export async function wrap<T>(what: string, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    const detail = error instanceof Error ? error.message : Array.isArray(error) ? error.map(String).join('; ') : String(error);
    throw new CmuxError('CMUX_ERR_PM2_FAILED', `PM2 could not ${what}: ${detail}`, { cause: error });
  }
}
