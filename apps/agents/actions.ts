import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectPaneStatus, type AgentKind } from '../core/src/agents/index.js';
import { CmuxError, isCmuxError } from '../core/src/errors/index.js';
import { composerText, deliverText, terminalText, type DeliveryResult } from '../core/src/input/index.js';
import { recordKill } from '../core/src/journal/index.js';
import { homePaths } from '../core/src/paths/index.js';
import type { TmuxClient } from '../core/src/tmux/index.js';
import { ownsWindow, readRegistry, unregisterAgent, type RegisteredAgent } from '../registry/index.js';
import { archivePane, latestPaneArchive } from './archive-pane.js';
import type { AgentDeps } from './deps.js';
import { answerOnScreen, readDialog, type ScreenDialog } from './dialogs.js';
import { SUPERVISOR } from './spawn.js';
import { findAgent, findLiveAgent } from './find.js';
import { tagged } from './render.js';
import { withTypingLock } from './typing-lock.js';
import { assertNothingPending, retireWorktree, type RetiredWorktree } from './worktree/agent.js';

// How long an idle agent is watched for a turn that began a moment ago before an interrupt
// finds nothing to stop.
const TURN_START_MS = 2_000;
// How long the screen is watched after the interrupt keys, and how long it must hold still
// (not busy, the input box empty) for the interrupt to be over when it shows no stopped turn.
const INTERRUPT_WATCH_MS = 6_000;
const QUIET_MS = 1_000;
// How long the screen is watched for the answer to one key.
const KEY_ANSWER_MS = 3_000;
const POLL_MS = 100;
// Rounds of the clear keys at most (Claude Code takes a second Escape as "clear" only within
// a moment of the first, so a slow round may need another).
const CLEAR_ROUNDS = 3;
export const MAX_TERMINAL_LINES = 10_000;

// Types `text` from `from` into the agent at once (no mailbox, no wait for idle), under its
// typing lock. Asked for before anything is awaited, so calls keep the order they were made in.
export async function sendToAgent(deps: AgentDeps, id: string, text: string, from: string): Promise<DeliveryResult> {
  return withTypingLock(deps, id, async () => {
    const { agent } = await findLiveAgent(deps, id);
    const kind = deps.kinds.forCommand(agent.command);
    return deliverText({ tmux: deps.tmux, target: agent.windowId, text: tagged(text, from), kind });
  });
}

// A key pressed in the dashboard's terminal: a named key, or literal text.
export type PaneKey = { key: string } | { text: string };
// The keys a person may press into a pane by name; anything else arrives as text, made inert.
export const NAMED_KEYS = ['Enter', 'Escape', 'Tab', 'BTab', 'BSpace', 'DC', 'Up', 'Down', 'Left', 'Right', 'Home', 'End', 'PPage', 'NPage'] as const;
const CONTROL_KEY = /^C-[a-z]$/;

// Presses keys into the agent's pane, in turn with everything else typed into it: named keys
// only from the allowlist (and Ctrl with a letter), text through the same sanitising as a
// message, so no text can act as a key.
export async function pressKeys(deps: AgentDeps, id: string, keys: readonly PaneKey[]): Promise<void> {
  for (const k of keys) {
    if ('key' in k && !(NAMED_KEYS as readonly string[]).includes(k.key) && !CONTROL_KEY.test(k.key)) {
      throw new CmuxError('CMUX_ERR_BAD_REQUEST', `no key named ${JSON.stringify(k.key)}: use one of ${NAMED_KEYS.join(', ')}, C-a … C-z, or text`);
    }
  }
  await withTypingLock(deps, id, async () => {
    const { agent } = await findLiveAgent(deps, id);
    const kind = deps.kinds.forCommand(agent.command);
    // Escape (or Ctrl-C) pressed in the dashboard's terminal stops a turn as the interrupt does.
    if (keys.some((k) => 'key' in k && (kind.interruptKeys.includes(k.key) || k.key === 'C-c'))) await markInterrupted(deps.tmux, agent.windowId);
    for (const k of keys) {
      if ('key' in k) await deps.tmux.sendKeys(agent.windowId, k.key);
      else await deps.tmux.sendText(agent.windowId, terminalText(k.text));
    }
  });
}

// Stops the agent's current turn with its kind's interrupt keys (Escape for Claude Code), only
// when there is one to stop: an agent that reads idle gets no key (two Escapes on Claude Code's
// empty input box open its Rewind menu). A prompt stopped before any output comes back into
// Claude Code's input box, at once or (stopped while Claude still submitted it) up to a second
// later: it is emptied, so the next message arrives alone; a menu a stray key opened is closed
// again; a turn seen to stop is marked on the window (the status monitor reads it). Under the
// typing lock, so it never lands between a message's paste and its Enter.
export async function interruptAgent(deps: AgentDeps, id: string): Promise<void> {
  await withTypingLock(deps, id, async () => {
    const { agent } = await findLiveAgent(deps, id);
    const kind = deps.kinds.forCommand(agent.command);
    const { tmux } = deps;
    const before = await turnToStop(tmux, agent.windowId, kind);
    if (before === null) {
      deps.logger.info(`${id} reads idle: no turn to interrupt`);
      return;
    }
    await markInterrupted(tmux, agent.windowId);
    await tmux.sendKeys(agent.windowId, ...kind.interruptKeys);
    if (kind.clearInputKeys.length === 0 && kind.strayMenus.length === 0) return;
    const pane = await settleAfterInterrupt(tmux, agent.windowId, kind, before);
    await closeStrayMenu(tmux, agent.windowId, kind, pane);
    // The turn is over: this ends it for a status read from events alone, as Claude Code sends
    // no event for a turn stopped before any output.
    if (detectPaneStatus(kind, pane) !== 'busy') await tmux.markTurnStopped(agent.windowId, Date.now());
  });
}

// Tells the status monitor, in whatever process it runs, that the turn under way ends by an
// interrupt, not finished: a mark on the window that changes at each interrupt. Set before the
// keys: a screen that shows their effect was read before the marks the monitor reads after it.
async function markInterrupted(tmux: TmuxClient, target: string): Promise<void> {
  await tmux.markInterrupted(target, `${Date.now()}-${randomBytes(3).toString('hex')}`);
}

// The screen showing a turn to stop (busy, a dialog, or a screen cmux cannot read), or null when
// the agent reads idle. An idle screen is watched a moment first: a prompt submitted just
// before may not show as busy yet (Claude Code keeps it in its input box until it starts).
async function turnToStop(tmux: TmuxClient, target: string, kind: AgentKind): Promise<string | null> {
  const deadline = Date.now() + TURN_START_MS;
  for (;;) {
    const pane = await tmux.capturePane(target);
    if (!kind.composer || detectPaneStatus(kind, pane) !== 'idle') return pane;
    if (Date.now() >= deadline) return null;
    await sleep(POLL_MS);
  }
}

// Watches the screen once the interrupt keys are pressed, until the interrupt is over: the
// screen shows the turn stopped (the kind's `turnStopped`, new since `before`), or has held
// still, not busy and with an empty input box, for QUIET_MS; bounded by INTERRUPT_WATCH_MS.
// A prompt that comes back into the box meanwhile is cleared one key at a time: each clear key
// is pressed only while the box is seen to hold text, and only once the screen has answered
// the key before (a screen drawn late still shows text already gone, and a key pressed into
// the empty box is not harmless). Returns the last screen.
async function settleAfterInterrupt(tmux: TmuxClient, target: string, kind: AgentKind, before: string): Promise<string> {
  const deadline = Date.now() + INTERRUPT_WATCH_MS;
  const stoppedBefore = occurrences(kind.turnStopped, before);
  let pane = await screenAfter(tmux, target, before);
  let stillSince = Date.now();
  let pressed = 0;
  while (Date.now() < deadline) {
    const busy = detectPaneStatus(kind, pane) === 'busy';
    const pending = !busy && Boolean(composerText(kind, pane));
    if (pending && kind.clearInputKeys.length > 0 && pressed < kind.clearInputKeys.length * CLEAR_ROUNDS) {
      await tmux.sendKeys(target, kind.clearInputKeys[pressed % kind.clearInputKeys.length]!);
      pressed += 1;
      pane = await screenAfter(tmux, target, pane);
      stillSince = Date.now();
      continue;
    }
    if (!busy && !pending && (occurrences(kind.turnStopped, pane) > stoppedBefore || Date.now() - stillSince >= QUIET_MS)) break;
    await sleep(POLL_MS);
    const next = await tmux.capturePane(target);
    if (next !== pane) stillSince = Date.now();
    pane = next;
  }
  if (kind.clearInputKeys.length > 0 && detectPaneStatus(kind, pane) !== 'busy' && composerText(kind, pane)) {
    throw new CmuxError('CMUX_ERR_DELIVERY_FAILED', 'the turn stopped, but its prompt stayed in the input box: clear it by hand (`cmux attach`)');
  }
  return pane;
}

function occurrences(pattern: RegExp | null, pane: string): number {
  return pattern ? (pane.match(new RegExp(pattern.source, `${pattern.flags}g`)) ?? []).length : 0;
}

// Closes a menu of the kind's `strayMenus` (Claude Code's Rewind) when the screen shows one.
async function closeStrayMenu(tmux: TmuxClient, target: string, kind: AgentKind, pane: string): Promise<void> {
  const menu = kind.strayMenus.find((m) => m.when.test(pane));
  if (!menu) return;
  await tmux.sendKeys(target, ...menu.close);
  if (menu.when.test(await screenAfter(tmux, target, pane))) {
    throw new CmuxError('CMUX_ERR_DELIVERY_FAILED', 'the interrupt left a menu open that its close keys did not close: close it by hand (`cmux attach`)');
  }
}

// The screen once it differs from `before` (the program answered a key), or after KEY_ANSWER_MS.
async function screenAfter(tmux: TmuxClient, target: string, before: string): Promise<string> {
  const deadline = Date.now() + KEY_ANSWER_MS;
  let pane = await tmux.capturePane(target);
  while (pane === before && Date.now() < deadline) {
    await sleep(POLL_MS / 2);
    pane = await tmux.capturePane(target);
  }
  return pane;
}

// The dialog the agent shows, or null.
export async function agentDialog(deps: AgentDeps, id: string): Promise<ScreenDialog | null> {
  const { agent } = await findLiveAgent(deps, id);
  return readDialog(deps.kinds.forCommand(agent.command), await deps.tmux.capturePane(agent.windowId));
}

// Answers the agent's dialog with `choice`, in turn with everything else typed into it; only
// when the same dialog (`question`, when given) is still on screen, and checked after.
export async function answerAgent(deps: AgentDeps, id: string, choice: string, question?: string): Promise<ScreenDialog> {
  return withTypingLock(deps, id, async () => {
    const { agent } = await findLiveAgent(deps, id);
    const dialog = await answerOnScreen(deps.tmux, agent.windowId, deps.kinds.forCommand(agent.command), choice, question);
    deps.logger.info(`answered the dialog of ${id}`, { question: dialog.question, choice });
    return dialog;
  });
}

export interface AgentTerminal {
  text: string;
  // Set when the agent's window is gone (stopped, missing): the text is its terminal as
  // archived in the journal then, not a live screen.
  archived?: { at: string; date: string; name: string };
}

// The last `lines` lines of the agent's pane, scrollback included; for an agent whose window
// is gone, of its last archived terminal (empty text when it has none).
export async function agentTerminal(deps: AgentDeps, id: string, lines: number): Promise<AgentTerminal> {
  if (!Number.isInteger(lines) || lines < 1 || lines > MAX_TERMINAL_LINES) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `lines must be a whole number from 1 to ${MAX_TERMINAL_LINES}`);
  }
  const lastLines = (text: string) => text.replace(/\n+$/, '').split('\n').slice(-lines).join('\n');
  const { agent, window } = await findAgent(deps, id);
  if (window) return { text: lastLines(await deps.tmux.capturePane(window.windowId, { historyLines: lines })) };
  const archive = latestPaneArchive(deps.config.home, agent.id);
  return archive ? { text: lastLines(archive.text), archived: { at: archive.at, date: archive.date, name: archive.name } } : { text: '' };
}

export interface KilledAgent {
  agent: RegisteredAgent;
  // The pane's text, archived in the journal's attachments (null when the window was gone).
  archive: string | null;
  // The agent's worktree, removed or kept (its branch always stays); null without one.
  worktree: RetiredWorktree | null;
}

export interface KillOptions {
  // Kill even with uncommitted or unmerged work in the agent's worktree, or the supervisor.
  force?: boolean | undefined;
  // Leave the worktree's folder in place: its work, committed or not, stays, so the kill needs no force.
  keep?: boolean | undefined;
}

// Archives the pane text into the journal, kills the window, unregisters the agent and records
// the kill.
// A window that is already gone is simply unregistered.
export async function killAgent(deps: AgentDeps, id: string, options: KillOptions = {}): Promise<KilledAgent> {
  const { agent, window } = await findAgent(deps, id);
  if (!options.force && agent.id === SUPERVISOR) {
    throw new CmuxError('CMUX_ERR_USAGE', 'the supervisor is what keeps the team going, and cmux-server starts a new one within seconds: kill it with --force (the API: ?force=true) if you mean it', {
      context: { id },
    });
  }
  if (!options.force && !options.keep) await assertNothingPending(agent);
  // An invalid registry would refuse the unregistration below: refuse before the window is gone.
  await readRegistry(homePaths(deps.config.home).registry);
  let archive: string | null = null;
  if (window) {
    archive = await archivePane(deps, agent.id, agent.windowId);
    await deps.tmux.killWindow(agent.windowId).catch((error: unknown) => {
      if (!isCmuxError(error, 'CMUX_ERR_TMUX_TARGET_NOT_FOUND')) throw error;
    });
  }
  const removed = await unregisterAgent(deps, agent.id);
  // Brought back between the window's kill and the unregistration (the team keeper does so for
  // the supervisor within seconds): that window is the agent's too and goes with it, or it would
  // run on unregistered and keep anyone from taking the name again.
  if (removed.windowId !== agent.windowId) {
    const relaunched = (await deps.tmux.listWindows()).find((w) => w.windowId === removed.windowId && ownsWindow(removed.id, removed, w));
    if (relaunched) await deps.tmux.killWindow(relaunched.windowId).catch(() => undefined);
  }
  // It stays listed (the dashboard's killed agents) and findable in the journal. The kill is
  // done by now: a record that cannot be written is said in the log, not reported as a failed kill.
  await recordKill(deps.config.home, agent, archive).catch((error: unknown) => deps.logger.warn(`killed ${agent.id}, but could not record the kill: ${(error as Error).message}`));
  const worktree = agent.worktree ? await retireWorktree(agent.worktree, options.keep ?? false, deps.logger) : null;
  deps.logger.info(`killed agent ${agent.id}`, { windowId: agent.windowId, archive, worktree });
  return { agent, archive, worktree };
}
