import { runsForegroundJob } from '../proc/index.js';
import type { AgentKind } from '../agents/index.js';
import type { TmuxClient } from '../tmux/index.js';
import { visibleControls } from '../text/index.js';

// The start and end markers of a bracketed paste, in their 7-bit (ESC [) and 8-bit (CSI) forms.
const PASTE_MARKERS = /(?:\x1b\[|\x9b)20[01]~/g;
// Marks where a line broke in text folded onto one line.
export const FOLDED_NEWLINE = ' ⏎ ';

// Turns message text into what may be typed or pasted into a terminal, so that no part of it
// acts as a key: the paste markers are removed (a paste-end marker would turn the rest into
// keystrokes), and every other control character is made visible and inert (visibleControls).
export function terminalText(text: string): string {
  return visibleControls(text.replace(PASTE_MARKERS, ''));
}

// The text on one line, its line breaks shown as ⏎: what a line-reading program takes as one input.
export function foldLines(text: string): string {
  return text.replace(/\n+$/, '').replace(/\n/g, FOLDED_NEWLINE);
}

// The terminal text for one delivery. A kind cmux cannot read on screen (no composer, e.g. a
// shell or aider) may be busy with a job that has taken the terminal; a multi-line paste would
// then wait in the terminal and be read line by line when the job ends, each line a separate
// input. So while a job the program started holds the terminal, the text is folded onto one
// line, which is read as one input whenever it is read.
export async function terminalInput(opts: { tmux: TmuxClient; target: string; text: string; kind: AgentKind }): Promise<string> {
  const text = terminalText(opts.text);
  if (opts.kind.composer !== null || !text.includes('\n')) return text;
  const pid = await opts.tmux.panePid(opts.target);
  return runsForegroundJob(pid) === true ? foldLines(text) : text;
}
