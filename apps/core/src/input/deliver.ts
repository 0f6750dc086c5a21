import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentKind } from '../agents/index.js';
import { lastLines } from '../agents/index.js';
import type { TmuxClient } from '../tmux/index.js';
import { terminalInput } from './terminal-text.js';

// Text above this size, or with a line break or any control character, is pasted, not typed.
export const MAX_TYPED_BYTES = 4096;
const SETTLE_POLL_MS = 40;
const SETTLE_MAX_MS = 10_000;
const PASTE_MARKER = /\[Pasted text/;

export interface DeliverOptions {
  tmux: TmuxClient;
  // The window (@N) or pane (%N) to type into.
  target: string;
  text: string;
  kind: AgentKind;
  // Who sends it: anyone but `user` gets a `[sender] ` prefix on text that starts with `/` or `!`,
  // so the agent does not run it as a command.
  from: string;
}

export interface DeliveryResult {
  // `typed-not-submitted`: the text is in the composer but Enter did not take.
  outcome: 'submitted' | 'typed-not-submitted';
  method: 'typed' | 'pasted';
  bytes: number;
  enterPresses: number;
}

// The text an agent receives from `from`: command-like text from anyone but the user is prefixed.
export function guardText(text: string, from: string): string {
  return from !== 'user' && /^[/!]/.test(text) ? `[${from}] ${text}` : text;
}

// Types a message into an agent exactly once: short plain text as literal keys, anything else
// as one bracketed paste through a buffer of its own; Enter as a separate key once the screen
// has settled; then, where the kind shows its composer, checks the text left it and presses
// Enter again (never retypes) a bounded number of times.
export async function deliverText(opts: DeliverOptions): Promise<DeliveryResult> {
  const { tmux, target, kind } = opts;
  const text = guardText(await terminalInput(opts), opts.from);
  const bytes = Buffer.byteLength(text);
  const typed = bytes <= MAX_TYPED_BYTES && !/[\x00-\x1f\x7f]/.test(text);
  if (typed) await tmux.sendText(target, text);
  else await tmux.pasteText(target, text);
  await sleep(kind.submitDelayMs);
  if (!typed) await waitForStableScreen(tmux, target);

  let enterPresses = 0;
  for (;;) {
    await tmux.sendKeys(target, 'Enter');
    enterPresses += 1;
    if (!kind.composer) return { outcome: 'submitted', method: typed ? 'typed' : 'pasted', bytes, enterPresses };
    await sleep(Math.max(kind.submitDelayMs, 100));
    const pending = stillInComposer(kind.composer, await tmux.capturePane(target), text);
    if (!pending) return { outcome: 'submitted', method: typed ? 'typed' : 'pasted', bytes, enterPresses };
    if (enterPresses > kind.enterRetries) {
      return { outcome: 'typed-not-submitted', method: typed ? 'typed' : 'pasted', bytes, enterPresses };
    }
  }
}

// Whether the composer (from the last prompt line to the bottom of the screen) still holds the
// message: its last characters, or a paste placeholder.
export function stillInComposer(composer: RegExp, pane: string, text: string): boolean {
  const lines = lastLines(pane, 60).split('\n');
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (composer.test(lines[i]!)) {
      start = i;
      break;
    }
  }
  if (start === -1) return false;
  const region = lines.slice(start).join('\n');
  const match = composer.exec(lines[start]!);
  const rest = [match?.[1] ?? '', ...lines.slice(start + 1)].join('').replace(/\s+/g, '');
  const tail = text.replace(/\s+/g, '').slice(-12);
  return PASTE_MARKER.test(region) || (tail.length > 0 && rest.includes(tail));
}

// Waits until two captures in a row are the same, so Enter follows a paste the program has
// finished reading (bounded by SETTLE_MAX_MS).
async function waitForStableScreen(tmux: TmuxClient, target: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MAX_MS;
  let previous = await tmux.capturePane(target);
  while (Date.now() < deadline) {
    await sleep(SETTLE_POLL_MS);
    const current = await tmux.capturePane(target);
    if (current === previous) return;
    previous = current;
  }
}
