import { readHomeFile, replaceHomeFile } from '../fs/index.js';
import { homePaths } from '../paths/index.js';

// What the frontend healer last found, as the health endpoint reports it (CONTRACT §3).
export interface FrontendState {
  status: 'healthy' | 'degraded';
  indexExists: boolean;
  jsBundles: number;
  served: boolean;
  // The browser's verdict on the build there now: pending until a check of it has ended, off
  // when the healer has no browser (or could not start it).
  browser: 'pending' | 'passed' | 'failed' | 'off';
  lastCheck: string | null;
  lastHeal: string | null;
  // What is wrong, while something is.
  problem: string | null;
  // Set after the rebuilds ran out: the healer waits for `cmux heal` or a source change.
  gaveUp: boolean;
}

// The frontend's health in words: "healthy (served; browser check pending)", "degraded: …".
export function describeFrontend(frontend: Pick<FrontendState, 'status' | 'served' | 'browser' | 'problem'>): string {
  if (frontend.status !== 'healthy') return `degraded: ${frontend.problem ?? 'no reason given'}`;
  const browser = frontend.browser === 'off' ? [] : [`browser check ${frontend.browser}`];
  return `healthy (${[frontend.served ? 'served' : 'not served yet', ...browser].join('; ')})`;
}

export function frontendStateFile(home: string): string {
  return homePaths(home).frontendState;
}

// The file `cmux heal` drops to ask the running healer for a rebuild now.
export function healRequestFile(home: string): string {
  return homePaths(home).healRequest;
}

// The healer's last findings, or null when it has not checked yet.
export function readFrontendState(home: string): FrontendState | null {
  try {
    const text = readHomeFile(home, frontendStateFile(home));
    return text === null ? null : (JSON.parse(text) as FrontendState);
  } catch {
    return null;
  }
}

export function writeFrontendState(home: string, state: FrontendState): void {
  replaceHomeFile(home, frontendStateFile(home), JSON.stringify(state));
}
