import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './process-info.js';

const POLL_MS = 50;
// Whether a process is gone is a signal 0 and a read of /proc: cheap enough to ask often, so a
// wait for processes to end lasts about as long as they take, not a poll interval more.
const EXIT_POLL_MS = 5;
const AFTER_KILL_WAIT_MS = 2_000;

export interface TerminateOutcome {
  pid: number;
  // How the process ended: it left after SIGTERM, needed SIGKILL, was already gone, or survived.
  result: 'terminated' | 'killed' | 'gone' | 'survived';
}

// SIGTERM to every pid, a bounded wait of `graceMs`, then SIGKILL to every one still alive.
export async function terminateAll(pids: readonly number[], graceMs: number): Promise<TerminateOutcome[]> {
  const outcomes = new Map<number, TerminateOutcome['result']>();
  for (const pid of pids) outcomes.set(pid, signal(pid, 'SIGTERM') ? 'terminated' : 'gone');
  await waitForExit(pids.filter((pid) => outcomes.get(pid) === 'terminated'), graceMs);
  const stubborn = pids.filter((pid) => outcomes.get(pid) === 'terminated' && isAlive(pid));
  for (const pid of stubborn) {
    signal(pid, 'SIGKILL');
    outcomes.set(pid, 'killed');
  }
  await waitForExit(stubborn, AFTER_KILL_WAIT_MS);
  for (const pid of stubborn) if (isAlive(pid)) outcomes.set(pid, 'survived');
  return pids.map((pid) => ({ pid, result: outcomes.get(pid)! }));
}

// Polls `done` every `pollMs` until it holds or `timeoutMs` passes. Returns whether it held.
export async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number, pollMs = POLL_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
}

// Waits until every one of `pids` is gone, or `timeoutMs` passes. Returns whether they all went.
export function waitForExit(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  return waitUntil(() => pids.every((pid) => !isAlive(pid)), timeoutMs, EXIT_POLL_MS);
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}
