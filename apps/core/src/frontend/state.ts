import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/index.js';
import { homePaths } from '../paths/index.js';

// What the frontend healer last found, as the health endpoint reports it (CONTRACT §3).
export interface FrontendState {
  status: 'healthy' | 'degraded';
  indexExists: boolean;
  jsBundles: number;
  served: boolean;
  lastCheck: string | null;
  lastHeal: string | null;
  // What is wrong, while something is.
  problem: string | null;
  // Set after the rebuilds ran out: the healer waits for `cmux heal` or a source change.
  gaveUp: boolean;
}

export function frontendStateFile(home: string): string {
  return join(homePaths(home).state, 'frontend.json');
}

// The file `cmux heal` drops to ask the running healer for a rebuild now.
export function healRequestFile(home: string): string {
  return join(homePaths(home).state, 'heal-request');
}

// The healer's last findings, or null when it has not checked yet.
export function readFrontendState(home: string): FrontendState | null {
  try {
    return JSON.parse(readFileSync(frontendStateFile(home), 'utf8')) as FrontendState;
  } catch {
    return null;
  }
}

export function writeFrontendState(home: string, state: FrontendState): void {
  writeFileAtomic(frontendStateFile(home), JSON.stringify(state));
}
