import { lastLines } from '../core/src/agents/index.js';
import { stillInComposer, type InputBox } from '../core/src/input/index.js';
import type { TmuxClient } from '../core/src/tmux/index.js';

const RECOVERY_HISTORY_LINES = 2_000;

// Where the look for a message on screen starts (an absolute line of the pane, so scrolling
// does not move it) and how often its first line was shown from there before it was typed.
export interface ScreenMark {
  from: number;
  seen: number;
}

// Before typing (no `from`), the look starts 2 000 lines above the screen (one tmux call: a
// mark is taken for every message); when a resumed message is checked, where its mark began.
export async function markScreen(tmux: TmuxClient, windowId: string, text: string, from?: number): Promise<ScreenMark> {
  if (from === undefined) {
    const { historySize, text: pane } = await tmux.captureWithHistorySize(windowId, RECOVERY_HISTORY_LINES);
    return { from: Math.max(0, historySize - RECOVERY_HISTORY_LINES), seen: occurrences(pane, firstLine(text)) };
  }
  const size = await tmux.historySize(windowId);
  const pane = await tmux.capturePane(windowId, { startLine: from - size });
  return { from, seen: occurrences(pane, firstLine(text)) };
}

// The mark as the history's detail of a message being delivered, and back.
export function formatMark(mark: ScreenMark): string {
  return `typing: its first line was on screen ${mark.seen} time(s) from line ${mark.from}`;
}

export function parseMark(detail: string | null | undefined): ScreenMark | null {
  const match = /^typing: its first line was on screen (\d+) time\(s\) from line (\d+)$/.exec(detail ?? '');
  return match ? { seen: Number(match[1]), from: Number(match[2]) } : null;
}

// Where an earlier attempt at typing `text` left it (an attempt that failed, or a typist that
// died, before its outcome was noted): still waiting to be submitted, in the input box (a pasted
// block by the kind's placeholder for it; the box was empty when typing began) or, for a
// line-based program, on the cursor's line; submitted already, its first line showing more
// often than it did before typing began (so an earlier copy of the same text, or a short
// text, is told apart); or nowhere. It is never typed again unless it is nowhere.
export async function whereTyped(tmux: TmuxClient, windowId: string, kind: InputBox, text: string, mark: ScreenMark | null): Promise<'in-box' | 'submitted' | 'nowhere'> {
  const now = await markScreen(tmux, windowId, text, mark?.from);
  const pane = await tmux.capturePane(windowId);
  if (stillInComposer(kind, pane, text)) return 'in-box';
  if (now.seen <= (mark?.seen ?? 0)) return 'nowhere';
  if (!kind.composer && lastLines(pane, 1).endsWith(lastLine(text)) && (await tmux.cursorColumn(windowId)) > 0) return 'in-box';
  return 'submitted';
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').trim().slice(0, 60);
}

function lastLine(text: string): string {
  return (text.trim().split('\n').at(-1) ?? '').trim().slice(-60);
}

function occurrences(pane: string, part: string): number {
  return part === '' ? 0 : pane.split(part).length - 1;
}
