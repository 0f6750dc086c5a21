import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './process-info.js';

const POLL_MS = 50;
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
  const alive = () => pids.filter((pid) => outcomes.get(pid) === 'terminated' && isAlive(pid));
  await waitUntil(() => alive().length === 0, graceMs);
  const stubborn = alive();
  for (const pid of stubborn) {
    signal(pid, 'SIGKILL');
    outcomes.set(pid, 'killed');
  }
  await waitUntil(() => stubborn.every((pid) => !isAlive(pid)), AFTER_KILL_WAIT_MS);
  for (const pid of stubborn) if (isAlive(pid)) outcomes.set(pid, 'survived');
  return pids.map((pid) => ({ pid, result: outcomes.get(pid)! }));
}

// Polls `done` every 50 ms until it holds or `timeoutMs` passes. Returns whether it held.
export async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}
