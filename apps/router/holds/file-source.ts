import { fileVersion } from '../../core/src/fs/index.js';
import { readHolds, type HoldsFile } from '../../core/src/holds/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { homePaths } from '../../core/src/paths/index.js';
import type { Hold, HoldSource } from './index.js';

const LOOK_MS = 1_000;

// The holds written to state/holds.json by any process (apps/core/src/holds): read again
// whenever the file changed (looked at before every answer and once a second, to wake the
// router's waits). Each hold is named after the source that wrote it.
export function holdsFileSource(home: string, logger: Logger): HoldSource {
  const file = homePaths(home).holds;
  let version = '';
  let holds: HoldsFile['holds'] = {};
  let problem: string | null = null;

  // True when the file changed since it was last read.
  const refresh = (): boolean => {
    const now = fileVersion(file);
    if (now === version) return false;
    version = now;
    const read = readHolds(home);
    holds = read.holds;
    if (read.problem && read.problem !== problem) logger.warn(read.problem);
    problem = read.problem;
    return true;
  };

  return {
    name: 'holds-file',
    holdOf(agent: string): Hold | null {
      refresh();
      for (const [name, byAgent] of Object.entries(holds)) {
        const entry = byAgent[agent];
        if (!entry) continue;
        return { reason: entry.reason, until: entry.until ? Date.parse(entry.until) : null, by: name };
      }
      return null;
    },
    watch(wake) {
      const timer = setInterval(() => {
        if (refresh()) wake();
      }, LOOK_MS);
      return () => clearInterval(timer);
    },
  };
}
