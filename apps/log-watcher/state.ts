import { readHomeFile, replaceHomeFile } from '../core/src/fs/index.js';
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
  return homePaths(home).logWatcherState;
}

export function loadState(home: string, logger: Logger): WatcherState {
  const empty: WatcherState = { markers: {}, fingerprints: {}, discrepancies: [], diskAlerted: false };
  try {
    const text = readHomeFile(home, stateFile(home));
    if (text !== null) return { ...empty, ...(JSON.parse(text) as Partial<WatcherState>) };
  } catch (error) {
    logger.warn(`the log-watcher state is unreadable; starting afresh`, { error });
  }
  return empty;
}

// Saved atomically, so a watcher killed mid-write finds the previous state.
export function saveState(home: string, state: WatcherState): void {
  replaceHomeFile(home, stateFile(home), JSON.stringify(state));
}
