import { setTimeout as sleep } from 'node:timers/promises';
import { detectPaneStatus, lastLines, type AgentKind } from '../core/src/agents/index.js';
import { CmuxError } from '../core/src/errors/index.js';
import type { TmuxClient } from '../core/src/tmux/index.js';

// A choice list on screen: its options in order (without the cursor mark or a `1.` number)
// and which one the cursor is on.
export interface ScreenChoices {
  choices: string[];
  cursor: number;
}

const NUMBERED = /^\d+\.\s+/;
// How long a key may take to show on screen, and an Enter to close the dialog, on a machine
// busy with other work (a real Claude Code under two CPU hogs has taken several seconds); and
// the whole pick.
const MOVE_WAIT_MS = 10_000;
// How long the screen must hold still before each key: Claude Code 2.1.332 draws its
// folder-trust menu before it is ready for keys — a Down and an Enter sent at once moved the
// cursor on screen, then picked "No, exit" (300 ms later they worked, on a loaded machine too).
const STILL_MS = 1_000;
const CLOSE_WAIT_MS = 20_000;
const PICK_BUDGET_MS = 60_000;
const POLL_MS = 100;

// Reads the choice list of the dialog at the bottom of the screen: the cursor line (the kind's
// `cursor`, e.g. Claude Code's indented `❯`) and the lines next to it whose text starts in the
// same column as the cursor line's (the question above, a hint below do not); a box's `│`
// borders are left out (written `\u2502`: esbuild leaves a regex's characters as they are, and
// one non-ASCII character makes V8 keep the app's whole bundle two bytes a character). A kind
// without a cursor has no menus.
export function readChoices(pane: string, cursor?: RegExp | null): ScreenChoices | null {
  if (!cursor) return null;
  const lines = pane
    .split('\n')
    .map((line) => line.replace(/^(\s*)\u2502/, '$1 ').replace(/\u2502\s*$/, '').replace(/\s+$/, ''))
    .map((line) => line.replace(cursor, (mark) => ' '.repeat(mark.length)));
  const raw = pane.split('\n').map((line) => line.replace(/^(\s*)\u2502/, '$1 '));
  let at = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (cursor.test(raw[i]!) && lines[i]!.trim() !== '') {
      at = i;
      break;
    }
  }
  if (at === -1) return null;
  const column = lines[at]!.search(/\S/);
  const isOption = (line: string) => line.search(/\S/) === column;
  let first = at;
  while (first > 0 && isOption(lines[first - 1]!)) first--;
  let last = at;
  while (last < lines.length - 1 && isOption(lines[last + 1]!)) last++;
  const choices = lines.slice(first, last + 1).map((line) => line.trim().replace(NUMBERED, ''));
  return { choices, cursor: at - first };
}

// The index of `choice` in the list: the option with that text, the one numbered so, or the
// only one that starts with it (a choice that names a folder: "Trust folder (work)").
export function findChoice(list: ScreenChoices, choice: string): number {
  const exact = list.choices.findIndex((c) => c === choice);
  if (exact !== -1) return exact;
  const number = /^\d+$/.test(choice) ? Number(choice) - 1 : -1;
  if (number >= 0 && number < list.choices.length) return number;
  const starting = list.choices.flatMap((c, i) => (c.startsWith(choice) ? [i] : []));
  return starting.length === 1 ? starting[0]! : -1;
}

// Picks `choice` in the dialog that `isOpen` recognises: moves the cursor one step at a time,
// checking on screen that it moved, presses Enter only with the cursor on the choice, and
// waits for the dialog to go. Never a blind key: a dialog that does not offer the choice, whose
// cursor does not move, or that is still there after the Enter is an error that shows the
// screen. Enter is pressed once: a second one would answer whatever the agent shows next.
export async function chooseOnScreen(tmux: TmuxClient, target: string, isOpen: (pane: string) => boolean, choice: string, cursor?: RegExp | null): Promise<void> {
  const deadline = Date.now() + PICK_BUDGET_MS;
  let pane = await heldStill(tmux, target, MOVE_WAIT_MS);
  while (isOpen(pane)) {
    const list = readChoices(pane, cursor);
    const wanted = list ? findChoice(list, choice) : -1;
    if (!list || wanted === -1) {
      throw new CmuxError('CMUX_ERR_AGENT_NOT_READY', `the dialog on screen does not offer ${JSON.stringify(choice)}${list ? `; its choices: ${list.choices.join(' | ')}` : ''}`);
    }
    if (list.cursor === wanted) {
      await tmux.sendKeys(target, 'Enter');
      pane = await until(tmux, target, (next) => !isOpen(next), CLOSE_WAIT_MS);
      if (isOpen(pane)) throw notPicked(choice, `Enter was pressed on it, and the dialog is still there ${CLOSE_WAIT_MS / 1000} s later`, pane);
      return;
    }
    if (Date.now() > deadline) throw notPicked(choice, `the cursor stays on ${JSON.stringify(list.choices[list.cursor])}`, pane);
    await tmux.sendKeys(target, wanted > list.cursor ? 'Down' : 'Up');
    await until(tmux, target, (next) => !isOpen(next) || readChoices(next, cursor)?.cursor !== list.cursor, MOVE_WAIT_MS);
    pane = await heldStill(tmux, target, MOVE_WAIT_MS);
  }
}

// The screen once it has not changed for STILL_MS, or the last one seen after `waitMs` (a
// screen that never settles is read as it is).
async function heldStill(tmux: TmuxClient, target: string, waitMs: number): Promise<string> {
  const deadline = Date.now() + waitMs;
  let pane = await tmux.capturePane(target);
  let since = Date.now();
  while (Date.now() - since < STILL_MS && Date.now() < deadline) {
    await sleep(POLL_MS);
    const next = await tmux.capturePane(target);
    if (next !== pane) since = Date.now();
    pane = next;
  }
  return pane;
}

function notPicked(choice: string, why: string, pane: string): CmuxError {
  return new CmuxError('CMUX_ERR_AGENT_NOT_READY', `could not pick ${JSON.stringify(choice)} in the dialog on screen: ${why}. The screen's last lines:\n${lastLines(pane, 12)}`);
}

// The screen once `done` holds for it, or the last one seen when `waitMs` ran out.
async function until(tmux: TmuxClient, target: string, done: (pane: string) => boolean, waitMs: number): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const pane = await tmux.capturePane(target);
    if (done(pane) || Date.now() >= deadline) return pane;
    await sleep(POLL_MS);
  }
}

// A dialog on screen: its question, its choices, and where a menu's cursor is (null where the
// choice is typed as a key, as in `(y/n)`).
export interface ScreenDialog {
  question: string;
  choices: string[];
  cursor: number | null;
}

// The dialog an agent shows, read by its kind's rules: a cursor menu (Claude Code), or a key
// prompt such as `(y/n)` (the kind's `keyChoices`). Null when the screen does not read waiting.
export function readDialog(kind: AgentKind, pane: string): ScreenDialog | null {
  if (detectPaneStatus(kind, pane) !== 'waiting') return null;
  const tail = lastLines(pane, kind.statusLines).split('\n');
  const menu = readChoices(pane, kind.choiceCursor);
  const keys = menu ? null : kind.keyChoices?.exec(tail.join('\n'));
  if (!menu && !keys) return null;
  const asking = [...tail].reverse().find((line) => /\?\s*(\(|$)/.test(line.trim())) ?? tail.find((line) => kind.status.waiting.some((p) => p.test(line))) ?? '';
  const question = asking.trim();
  return menu ? { question, choices: menu.choices, cursor: menu.cursor } : { question, choices: keys![1]!.split('/'), cursor: null };
}

// Answers the dialog on screen with `choice` — only when a dialog is there, offers that choice,
// and (when given) still asks `question` — then checks that the dialog took it.
export async function answerOnScreen(tmux: TmuxClient, target: string, kind: AgentKind, choice: string, question?: string): Promise<ScreenDialog> {
  const dialog = readDialog(kind, await tmux.capturePane(target));
  if (!dialog) throw new CmuxError('CMUX_ERR_NO_DIALOG', 'the agent shows no dialog to answer');
  if (question !== undefined && question !== dialog.question) {
    throw new CmuxError('CMUX_ERR_NO_DIALOG', `the dialog on screen changed: it now asks ${JSON.stringify(dialog.question)}`, { context: { question: dialog.question } });
  }
  const index = findChoice({ choices: dialog.choices, cursor: dialog.cursor ?? 0 }, choice);
  if (index === -1) throw new CmuxError('CMUX_ERR_NO_DIALOG', `the dialog offers no choice ${JSON.stringify(choice)}; its choices: ${dialog.choices.join(' | ')}`);
  const same = (pane: string) => readDialog(kind, pane)?.question === dialog.question;
  if (dialog.cursor === null) {
    await tmux.sendText(target, dialog.choices[index]!);
    await until(tmux, target, (pane) => !same(pane), CLOSE_WAIT_MS);
  } else {
    await chooseOnScreen(tmux, target, same, dialog.choices[index]!, kind.choiceCursor);
  }
  if (same(await tmux.capturePane(target))) throw new CmuxError('CMUX_ERR_DELIVERY_FAILED', `the dialog did not take the answer ${JSON.stringify(choice)}; it still asks ${JSON.stringify(dialog.question)}`);
  return dialog;
}
