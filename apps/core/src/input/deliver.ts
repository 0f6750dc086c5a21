import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentKind } from '../agents/index.js';
import { lastLines } from '../agents/index.js';
import type { PaneWatch, TmuxClient } from '../tmux/index.js';
import { terminalInput } from './terminal-text.js';

// Text above this size, or with a line break or any control character, is pasted, not typed.
export const MAX_TYPED_BYTES = 4096;
// A paste has been read once the pane printed nothing for this long (without a stream: two
// screens this far apart are the same).
const SETTLE_POLL_MS = 40;
const SETTLE_MAX_MS = 10_000;
// The input box is looked at once the pane has held still this long after printing.
const REDRAW_QUIET_MS = 30;
const PASTE_MARKER = /\[Pasted text/;

export interface DeliverOptions {
  tmux: TmuxClient;
  // The window (@N) or pane (%N) to type into.
  target: string;
  text: string;
  kind: AgentKind;
  // Asks the agent's own report whether it took `text` (sent from `since` on): true when it
  // did, false when it did not, null when nobody can tell (then the screen's word stands).
  // `wake(ms)` waits for the pane's next output, at most `ms`: the moment to ask again.
  confirm?: ((text: string, since: number, wake: (ms: number) => Promise<unknown>) => Promise<boolean | null>) | undefined;
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
  // Listening from before the text goes in, so what the agent prints in answer wakes the waits
  // below; typed text into a program cmux cannot read waits for nothing.
  const watch = !typed || kind.composer || opts.confirm ? await tmux.watchPane(target) : null;
  try {
    const since = Date.now();
    if (typed) await tmux.sendText(target, text);
    else await tmux.pasteText(target, text);
    await sleep(kind.submitDelayMs);
    if (watch && !typed) await waitForStableScreen(tmux, watch, target);

    const method = typed ? 'typed' : 'pasted';
    let enterPresses = 0;
    for (;;) {
      await tmux.sendKeys(target, 'Enter');
      enterPresses += 1;
      if (!watch || !kind.composer) break;
      if (await leftComposer(tmux, watch, target, kind.composer, text, Math.max(kind.submitDelayMs, 100))) break;
      if (enterPresses > kind.enterRetries) return { outcome: 'typed-not-submitted', method, bytes, enterPresses };
    }
    const confirmed = opts.confirm ? await opts.confirm(text, since, (ms) => watch!.printed(ms)) : null;
    return { outcome: confirmed === false ? 'not-confirmed' : 'submitted', method, bytes, enterPresses };
  } finally {
    watch?.close();
  }
}

// Whether the text left the input box within `waitMs` of Enter: looked at each time the pane
// has printed and held still (so a quick agent is seen at once), and once more when the time is
// up. Enter is pressed again only after the whole wait, never because a redraw was half done.
async function leftComposer(tmux: TmuxClient, watch: PaneWatch, target: string, composer: RegExp, text: string, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    await watch.redrawn(Math.max(0, deadline - Date.now()), { quietMs: REDRAW_QUIET_MS });
    if (!stillInComposer(composer, await tmux.capturePane(target), text)) return true;
    if (Date.now() >= deadline) return false;
  }
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

// Waits until the pane has printed nothing for a moment, so Enter follows a paste the program
// has finished reading (bounded by SETTLE_MAX_MS). Without a stream, until two captures in a
// row are the same.
async function waitForStableScreen(tmux: TmuxClient, watch: PaneWatch, target: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MAX_MS;
  let previous: string | null = null;
  while (Date.now() < deadline) {
    const activity = await watch.printed(SETTLE_POLL_MS);
    if (activity === 'quiet') return;
    if (activity === 'unknown') {
      const current = await tmux.capturePane(target);
      if (current === previous) return;
      previous = current;
    }
  }
}
