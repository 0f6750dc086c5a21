import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/src/fs/index.js';
import type { Logger } from '../core/src/log/index.js';
import { homePaths } from '../core/src/paths/index.js';
import type { LogMarker } from './log-reader.js';

// What one fingerprint has done: when it was seen, when it was last alerted, and how many
// occurrences since then are still to be reported.
export interface FingerprintState {
  firstSeen: string;
  lastSeen: string;
  lastAlert: string;
  pending: number;
  source: string;
  sample: string;
}

// Everything the watcher remembers between scans and restarts.
export interface WatcherState {
  markers: Record<string, LogMarker>;
  fingerprints: Record<string, FingerprintState>;
  discrepancies: string[];
  diskAlerted: boolean;
}

function stateFile(home: string): string {
  return join(homePaths(home).state, 'log-watcher.json');
}

export function loadState(home: string, logger: Logger): WatcherState {
  const empty: WatcherState = { markers: {}, fingerprints: {}, discrepancies: [], diskAlerted: false };
  try {
    return { ...empty, ...(JSON.parse(readFileSync(stateFile(home), 'utf8')) as Partial<WatcherState>) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn(`the log-watcher state is unreadable; starting afresh`, { error });
    return empty;
  }
}

// Saved atomically, so a watcher killed mid-write finds the previous state.
export function saveState(home: string, state: WatcherState): void {
  writeFileAtomic(stateFile(home), JSON.stringify(state));
}
