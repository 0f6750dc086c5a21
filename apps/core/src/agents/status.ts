import type { AgentKind } from './kinds.js';

// The one status vocabulary of cmux: the API, the CLI, the dashboard and the router share it.
export const AGENT_STATUS = {
  starting: 'starting',
  idle: 'idle',
  busy: 'busy',
  waiting: 'waiting',
  // Its program hit a usage limit (or another agent of its account did): messages wait for
  // the reset (apps/server/agents/limit-watch.ts).
  limited: 'limited',
  exited: 'exited',
  missing: 'missing',
  // Kept from the last stop; the next start brings it back.
  stopped: 'stopped',
  // Another host's agent whose host does not answer (a cluster, docs/CLUSTER.md): not known
  // to be missing or stopped, only out of reach.
  unreachable: 'unreachable',
  unknown: 'unknown',
} as const;
export type AgentStatus = (typeof AGENT_STATUS)[keyof typeof AGENT_STATUS];

// The last `count` non-empty lines of a pane capture.
export function lastLines(pane: string, count: number): string {
  return pane
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .filter((line) => line !== '')
    .slice(-count)
    .join('\n');
}

// What the screen says: busy is checked first (a prompt stays visible while an agent works),
// then waiting, then idle; null when nothing matches.
export function detectPaneStatus(kind: AgentKind, pane: string): 'busy' | 'waiting' | 'idle' | null {
  const tail = lastLines(pane, kind.statusLines);
  for (const status of ['busy', 'waiting', 'idle'] as const) {
    if (kind.status[status].some((pattern) => pattern.test(tail))) return status;
  }
  return null;
}

// Whether the screen's last lines show the kind's mark of a turn stopped by an interrupt.
export function showsInterrupt(kind: AgentKind, pane: string): boolean {
  const tail = lastLines(pane, kind.statusLines);
  return kind.interrupted.some((pattern) => pattern.test(tail));
}

// A status an agent's own hooks reported (Claude Code PostToolUse, Stop, Notification…).
export interface HookReport {
  status: 'busy' | 'waiting' | 'idle';
  at: number;
}

// How long a hook report outranks the screen.
export const HOOK_FRESH_MS = 30_000;
// How long a busy report outranks a screen that reads idle: long enough to cover the moment
// between a submitted prompt and its spinner, short enough that an interrupted turn (Claude
// Code sends no hook then) reads idle at once.
export const HOOK_BUSY_OVER_IDLE_MS = 1_500;

export interface StatusInputs {
  windowExists: boolean;
  paneDead: boolean;
  pane: string | null;
  kind: AgentKind;
  hook?: HookReport | undefined;
  // When cmux's last interrupt saw the turn stop (ms), if it did.
  turnStoppedAt?: number | undefined;
  ageMs: number;
  startingGraceMs: number;
  now: number;
}

// The single owner of the status decision. A missing window or a dead pane is final; a fresh
// hook report wins over the screen, except that a dialog on screen (waiting) always shows and
// a screen that reads idle soon outranks a busy report;
// otherwise the screen decides, and a young agent the screen cannot read yet is `starting`.
// A kind whose status is not read from the screen (`statusFromScreen: false`) has only its
// hook reports, which then do not grow old: the last one stands until the next, or until an
// interrupt of cmux's saw the turn stop after it (Claude Code reports no event for a turn
// stopped before any output).
export function deriveStatus(input: StatusInputs): AgentStatus {
  if (!input.windowExists) return 'missing';
  if (input.paneDead) return 'exited';
  if (!input.kind.statusFromScreen) {
    if (input.hook && input.turnStoppedAt !== undefined && input.turnStoppedAt > input.hook.at) return 'idle';
    return input.hook?.status ?? (input.ageMs < input.startingGraceMs ? 'starting' : 'unknown');
  }
  const screen = input.pane === null ? null : detectPaneStatus(input.kind, input.pane);
  if (screen === 'waiting') return 'waiting';
  const hookAge = input.hook ? input.now - input.hook.at : Number.POSITIVE_INFINITY;
  if (input.hook && hookAge <= HOOK_FRESH_MS && !(input.hook.status === 'busy' && screen === 'idle' && hookAge > HOOK_BUSY_OVER_IDLE_MS)) {
    return input.hook.status;
  }
  if (screen) return screen;
  return input.ageMs < input.startingGraceMs ? 'starting' : 'unknown';
}
