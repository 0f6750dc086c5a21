// A key for the server's key route: a named key (its allowlist) or literal text.
export type PaneKey = { key: string } | { text: string };

// The escape sequences xterm sends for the keys the server presses by name (tmux's names).
const SEQUENCES: Record<string, string> = {
  '\r': 'Enter',
  '\x7f': 'BSpace',
  '\b': 'BSpace',
  '\t': 'Tab',
  '\x1b': 'Escape',
  '\x1b[Z': 'BTab',
  '\x1b[A': 'Up',
  '\x1b[B': 'Down',
  '\x1b[C': 'Right',
  '\x1b[D': 'Left',
  '\x1bOA': 'Up',
  '\x1bOB': 'Down',
  '\x1bOC': 'Right',
  '\x1bOD': 'Left',
  '\x1b[H': 'Home',
  '\x1b[F': 'End',
  '\x1bOH': 'Home',
  '\x1bOF': 'End',
  '\x1b[3~': 'DC',
  '\x1b[5~': 'PPage',
  '\x1b[6~': 'NPage',
};
// An escape sequence (CSI or SS3) or a lone control character, as xterm emits them.
const TOKENS = /\x1b\[[0-9;]*[A-Za-z~]|\x1bO[A-Za-z]|[\x00-\x1f\x7f]|[^\x00-\x1f\x7f]+/g;

// What xterm emitted for the person's keys, as keys for the server: named keys for the ones it
// knows, Ctrl with a letter as `C-x`, plain text as text; anything else (an unknown escape
// sequence) is left out rather than typed as text.
export function paneKeys(data: string): PaneKey[] {
  const keys: PaneKey[] = [];
  for (const [token] of data.matchAll(TOKENS)) {
    const named = SEQUENCES[token];
    if (named) keys.push({ key: named });
    else if (/^[\x01-\x1a]$/.test(token)) keys.push({ key: `C-${String.fromCharCode(token.charCodeAt(0) + 0x60)}` });
    else if (!/[\x00-\x1f\x7f]/.test(token)) keys.push({ text: token });
  }
  return keys;
}
