import { join } from 'node:path';
import { withFileLock } from '../core/src/lock/index.js';
import { homePaths } from '../core/src/paths/index.js';
import type { AgentDeps } from './deps.js';
import { assertRegistered } from './find.js';

// Long enough to wait out the longest act of typing: a large paste, its screen settling (up to
// 10 s), the Enter retries, and the agent's hook confirming the prompt (up to 15 s).
const TYPING_LOCK_TIMEOUT_MS = 60_000;

// Runs `act` as the only thing typing into agent `id`. The router types messages, the server
// and the CLI interrupt and answer dialogs, each in its own process: the lock (a lock file per
// agent under state/typing/, with fair queued waiters) keeps their keys apart, so an interrupt
// lands before or after a paste and its Enter, never between them. It is held for the act of
// typing only, never while waiting for the agent to be idle, so an interrupt can go ahead of
// messages that wait their turn. Within one process, acts keep the order they were asked in.
// An id that is no registered agent is refused (404) before its lock file exists: any name
// would otherwise leave a file under state/typing/.
export function withTypingLock<T>(deps: AgentDeps, id: string, act: () => Promise<T>): Promise<T> {
  const file = join(homePaths(deps.config.home).typingLocks, encodeURIComponent(id));
  return deps.input.run(id, async () => {
    await assertRegistered(deps, id);
    return withFileLock(deps.config.home, file, act, { timeoutMs: TYPING_LOCK_TIMEOUT_MS, noteHolder: true });
  });
}
