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
// The input box is looked at once the pane has held still this long after printing; without
// output it is looked at again after SCREEN_SAFETY_MS (a screen tmux redrew on its own).
const REDRAW_QUIET_MS = 30;
const SCREEN_SAFETY_MS = 1_000;
const UNREAD_ENTER_MS = 3_000;
// How much of a message's start or end (spaces left out) must show in the input box for it to
// count as there.
const TELLTALE_CHARS = 12;

// The rules of a kind that say what its input box holds.
export type InputBox = Pick<AgentKind, 'composer' | 'composerPlaceholder' | 'pastedText'>;

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
// as one bracketed paste through a buffer of its own. Where the kind shows its input box, the
// kind's submit delay counts from when the text is seen there (Gemini takes an Enter that comes
// within 40 ms of reading a paste as a line break, and under load it reads a paste late);
// Enter is a separate key once the screen has settled; then the text must have left the box,
// or Enter is pressed again (the text is never retyped) a bounded number of times.
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
    if (watch && kind.composer) await waitForScreen(tmux, watch, target, (pane) => stillInComposer(kind, pane, text));
    await sleep(kind.submitDelayMs);
    if (watch && (!typed || kind.composer)) await waitForStableScreen(tmux, watch, target);
    return await submit(opts, text, { method: typed ? 'typed' : 'pasted', bytes, since }, watch);
  } finally {
    watch?.close();
  }
}

// Submits a message that is already in the agent's input box (typed by an attempt that failed
// before its outcome was known): Enter, checked as for a fresh delivery.
export async function submitTyped(opts: DeliverOptions): Promise<DeliveryResult> {
  const text = await terminalInput(opts);
  const watch = opts.kind.composer || opts.confirm ? await opts.tmux.watchPane(opts.target) : null;
  try {
    return await submit(opts, text, { method: 'typed', bytes: Buffer.byteLength(text), since: Date.now() }, watch);
  } finally {
    watch?.close();
  }
}

async function submit(opts: DeliverOptions, text: string, typing: Pick<DeliveryResult, 'method' | 'bytes'> & { since: number }, watch: PaneWatch | null): Promise<DeliveryResult> {
  const { tmux, target, kind } = opts;
  const { method, bytes } = typing;
  let enterPresses = 0;
  for (;;) {
    await tmux.sendKeys(target, 'Enter');
    enterPresses += 1;
    if (!watch || !kind.composer) break;
    if (await leftComposer(tmux, watch, target, kind, text, Math.max(kind.submitDelayMs, 100))) break;
    if (enterPresses > kind.enterRetries) return { outcome: 'typed-not-submitted', method, bytes, enterPresses };
  }
  const confirmed = opts.confirm ? await opts.confirm(text, typing.since, (ms) => watch!.printed(ms)) : null;
  return { outcome: confirmed === false ? 'not-confirmed' : 'submitted', method, bytes, enterPresses };
}

// Whether the text left the input box within `waitMs` of Enter: looked at each time the pane
// has printed and held still (so a quick agent is seen at once), and once more when the time is
// up. Enter is pressed again only after the whole wait, never because a redraw was half done;
// and while the stream shows the agent printed nothing at all since Enter, it has not read it
// yet (a loaded machine), so the wait goes on, up to UNREAD_ENTER_MS: another Enter then would
// reach it as well and be counted against it.
async function leftComposer(tmux: TmuxClient, watch: PaneWatch, target: string, kind: InputBox, text: string, waitMs: number): Promise<boolean> {
  const pressed = Date.now();
  let heard = false;
  for (;;) {
    const deadline = pressed + (heard ? waitMs : Math.max(waitMs, UNREAD_ENTER_MS));
    const activity = await watch.redrawn(Math.max(0, deadline - Date.now()), { quietMs: REDRAW_QUIET_MS, pollMs: waitMs });
    // Without a stream, nothing can say the agent has not read Enter yet.
    if (activity !== 'quiet') heard = true;
    if (!stillInComposer(kind, await tmux.capturePane(target), text)) return true;
    if (Date.now() >= pressed + (heard ? waitMs : UNREAD_ENTER_MS)) return false;
  }
}

// The text in the agent's input box (the composer pattern's first group; '' when it shows only
// its placeholder), or null when the kind has no input box or none is on screen. The match
// that starts lowest on the screen is the live one.
export function composerText(kind: InputBox, pane: string): string | null {
  if (!kind.composer) return null;
  const lines = lastLines(pane, 60).split('\n');
  const sticky = new RegExp(kind.composer.source, `${kind.composer.flags.replace(/[gy]/g, '')}y`);
  for (let i = lines.length - 1; i >= 0; i--) {
    sticky.lastIndex = 0;
    const match = sticky.exec(lines.slice(i).join('\n'));
    if (match) return isPlaceholder(kind, match[1] ?? '') ? '' : (match[1] ?? '');
  }
  return null;
}

function isPlaceholder(kind: InputBox, text: string): boolean {
  const shown = text.trim();
  const match = kind.composerPlaceholder?.exec(shown);
  return match !== null && match !== undefined && match.index === 0 && match[0].length === shown.length;
}

// Whether the input box holds the message: the kind's placeholder for a pasted block, or the
// message's first or last characters.
export function stillInComposer(kind: InputBox, pane: string, text: string): boolean {
  const pending = composerText(kind, pane);
  if (!pending) return false;
  if (kind.pastedText?.test(pending)) return true;
  const shown = pending.replace(/\s+/g, '');
  const squeezed = text.replace(/\s+/g, '');
  return squeezed !== '' && (shown.includes(squeezed.slice(0, TELLTALE_CHARS)) || shown.includes(squeezed.slice(-TELLTALE_CHARS)));
}

// Waits (bounded by SETTLE_MAX_MS) until the screen shows what `seen` looks for: looked at each
// time the pane has printed and held still; without a stream, every SETTLE_POLL_MS.
async function waitForScreen(tmux: TmuxClient, watch: PaneWatch, target: string, seen: (pane: string) => boolean): Promise<void> {
  const deadline = Date.now() + SETTLE_MAX_MS;
  while (!seen(await tmux.capturePane(target)) && Date.now() < deadline) {
    await watch.redrawn(Math.min(SCREEN_SAFETY_MS, Math.max(0, deadline - Date.now())), { quietMs: REDRAW_QUIET_MS, pollMs: SETTLE_POLL_MS });
  }
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
