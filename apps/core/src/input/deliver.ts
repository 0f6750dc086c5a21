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
  // Asks the agent's own report whether it took `text` (sent from `since` on): true when it
  // did, false when it did not, null when nobody can tell (then the screen's word stands).
  confirm?: ((text: string, since: number) => Promise<boolean | null>) | undefined;
}

export interface DeliveryResult {
  // `typed-not-submitted`: the text is in the composer but Enter did not take.
  // `not-confirmed`: the text left the composer, but the agent never reported taking it.
  outcome: 'submitted' | 'typed-not-submitted' | 'not-confirmed';
  method: 'typed' | 'pasted';
  bytes: number;
  enterPresses: number;
}

// Types a message into an agent exactly once: short plain text as literal keys, anything else
// as one bracketed paste through a buffer of its own; Enter as a separate key once the screen
// has settled; then, where the kind shows its composer, checks the text left it and presses
// Enter again (never retypes) a bounded number of times.
export async function deliverText(opts: DeliverOptions): Promise<DeliveryResult> {
  const { tmux, target, kind } = opts;
  const text = await terminalInput(opts);
  const bytes = Buffer.byteLength(text);
  const typed = bytes <= MAX_TYPED_BYTES && !/[\x00-\x1f\x7f]/.test(text);
  const since = Date.now();
  if (typed) await tmux.sendText(target, text);
  else await tmux.pasteText(target, text);
  await sleep(kind.submitDelayMs);
  if (!typed) await waitForStableScreen(tmux, target);

  const method = typed ? 'typed' : 'pasted';
  let enterPresses = 0;
  for (;;) {
    await tmux.sendKeys(target, 'Enter');
    enterPresses += 1;
    if (!kind.composer) break;
    await sleep(Math.max(kind.submitDelayMs, 100));
    if (!stillInComposer(kind.composer, await tmux.capturePane(target), text)) break;
    if (enterPresses > kind.enterRetries) return { outcome: 'typed-not-submitted', method, bytes, enterPresses };
  }
  const confirmed = opts.confirm ? await opts.confirm(text, since) : null;
  return { outcome: confirmed === false ? 'not-confirmed' : 'submitted', method, bytes, enterPresses };
}

// The text in the agent's input box (the composer pattern's first group), or null when no
// input box is on screen. The match that starts lowest on the screen is the live one.
export function composerText(composer: RegExp, pane: string): string | null {
  const lines = lastLines(pane, 60).split('\n');
  const sticky = new RegExp(composer.source, `${composer.flags.replace(/[gy]/g, '')}y`);
  for (let i = lines.length - 1; i >= 0; i--) {
    sticky.lastIndex = 0;
    const match = sticky.exec(lines.slice(i).join('\n'));
    if (match) return match[1] ?? '';
  }
  return null;
}

// Whether the input box still holds the message: its last characters, or a paste placeholder.
export function stillInComposer(composer: RegExp, pane: string, text: string): boolean {
  const pending = composerText(composer, pane);
  if (pending === null) return false;
  const tail = text.replace(/\s+/g, '').slice(-12);
  return PASTE_MARKER.test(pending) || (tail.length > 0 && pending.replace(/\s+/g, '').includes(tail));
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
