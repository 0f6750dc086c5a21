import { createHash } from 'node:crypto';
import { lastLines, type AgentKind } from '../../core/src/agents/index.js';
import { parseReset, type Reset } from './reset.js';

// How far up the screen a limit is looked for: the message, then a menu the program may open
// below it (Codex's "Approaching rate limits", eight lines).
const LIMIT_LINES = 40;
const MAX_SAID_CHARS = 300;

export interface ScreenLimit {
  // What the screen said, on one line (the same words seen again are the same limit).
  said: string;
  reset: Reset;
  // The program is waiting the limit out by itself (a `limits.retrying` pattern): it shows only
  // while it lasts.
  retrying: boolean;
}

// The usage limit the screen's last lines report, by the kind's `limits.retrying` patterns
// first (a retry under way is the state now, whatever an older limit above it says), then its
// `limits.screen` ones. The lines are joined with spaces first: the programs wrap their own
// text at word boundaries, and a message may span lines. A dialog's box borders `│` go (Gemini
// CLI's limit is a boxed dialog; written \u2502 so that the app bundles stay ASCII, see
// scripts/bundle-apps.mjs).
export function limitOnScreen(kind: AgentKind, pane: string, now: number = Date.now()): ScreenLimit | null {
  if (!kind.limits) return null;
  const text = lastLines(pane, LIMIT_LINES)
    .split('\n')
    .map((line) => line.replace(/^\s*\u2502|\u2502\s*$/g, '').trim())
    .join(' ');
  for (const [patterns, retrying] of [[kind.limits.retrying, true], [kind.limits.screen, false]] as const) {
    for (const pattern of patterns) {
      const match = pattern.exec(text);
      if (match) return { said: match[0].slice(0, MAX_SAID_CHARS), reset: parseReset(match.groups?.reset, now), retrying };
    }
  }
  return null;
}

// The account an agent's limit is counted on: its kind and the values of the kind's account
// variables (the agent's own `--env`, else cmux's `agents.env`, else the one environment all
// agent windows share), hashed so no key is kept in memory longer than needed or logged.
export function accountOf(kind: AgentKind, env: Readonly<Record<string, string>>): string {
  const values = (kind.limits?.account ?? []).map((name) => `${name}=${env[name] ?? ''}`);
  return `${kind.name}:${createHash('sha256').update(values.join('\n')).digest('hex').slice(0, 16)}`;
}
