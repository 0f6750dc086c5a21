import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectPaneStatus, type AgentKind } from '../core/src/agents/index.js';
import { CmuxError, isCmuxError } from '../core/src/errors/index.js';
import { composerText, deliverText, terminalText, type DeliveryResult } from '../core/src/input/index.js';
import { recordKill } from '../core/src/journal/index.js';
import { homePaths } from '../core/src/paths/index.js';
import type { TmuxClient } from '../core/src/tmux/index.js';
import { readRegistry, unregisterAgent, type RegisteredAgent } from '../registry/index.js';
import { archivePane, latestPaneArchive } from './archive-pane.js';
import type { AgentDeps } from './deps.js';
import { answerOnScreen, readDialog, type ScreenDialog } from './dialogs.js';
import { SUPERVISOR } from './spawn.js';
import { findAgent, findLiveAgent } from './find.js';
import { tagged } from './render.js';
import { withTypingLock } from './typing-lock.js';
import { assertNothingPending, retireWorktree, type RetiredWorktree } from './worktree/agent.js';

const SETTLE_AFTER_INTERRUPT_MS = 3_000;
const POLL_MS = 100;
const CLEAR_ATTEMPTS = 3;
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

// Stops the agent's current turn with its kind's interrupt keys (Escape for Claude Code).
// A turn stopped before any output puts its prompt back into Claude Code's input box: once the
// screen has settled, a box left holding text is emptied, so the next message arrives alone.
// Under the typing lock, so it never lands between a message's paste and its Enter.
export async function interruptAgent(deps: AgentDeps, id: string): Promise<void> {
  await withTypingLock(deps, id, async () => {
    const { agent } = await findLiveAgent(deps, id);
    const kind = deps.kinds.forCommand(agent.command);
    await markInterrupted(deps.tmux, agent.windowId);
    await deps.tmux.sendKeys(agent.windowId, ...kind.interruptKeys);
    if (kind.composer && kind.clearInputKeys.length > 0) await emptyInputBox(deps.tmux, agent.windowId, kind);
  });
}

// Tells the status monitor, in whatever process it runs, that the turn under way ends by an
// interrupt, not finished: a mark on the window that changes at each interrupt. Set before the
// keys: a screen that shows their effect was read before the marks the monitor reads after it.
async function markInterrupted(tmux: TmuxClient, target: string): Promise<void> {
  await tmux.markInterrupted(target, `${Date.now()}-${randomBytes(3).toString('hex')}`);
}

async function emptyInputBox(tmux: TmuxClient, target: string, kind: AgentKind): Promise<void> {
  const deadline = Date.now() + SETTLE_AFTER_INTERRUPT_MS;
  let pane = await tmux.capturePane(target);
  // Settled: no longer busy, and the same screen twice in a row.
  for (let previous = ''; Date.now() < deadline && (detectPaneStatus(kind, pane) === 'busy' || pane !== previous); ) {
    await sleep(POLL_MS);
    previous = pane;
    pane = await tmux.capturePane(target);
  }
  for (let attempt = 0; attempt < CLEAR_ATTEMPTS && composerText(kind.composer!, pane); attempt++) {
    for (const key of kind.clearInputKeys) {
      await tmux.sendKeys(target, key);
      await sleep(Math.max(kind.submitDelayMs, POLL_MS));
    }
    pane = await tmux.capturePane(target);
  }
  if (composerText(kind.composer!, pane)) {
    throw new CmuxError('CMUX_ERR_DELIVERY_FAILED', 'the turn stopped, but its prompt stayed in the input box: clear it by hand (`npx cmux attach`)');
  }
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
  await unregisterAgent(deps, agent.id);
  // It stays listed (the dashboard's killed agents) and findable in the journal. The kill is
  // done by now: a record that cannot be written is said in the log, not reported as a failed kill.
  await recordKill(deps.config.home, agent, archive).catch((error: unknown) => deps.logger.warn(`killed ${agent.id}, but could not record the kill: ${(error as Error).message}`));
  const worktree = agent.worktree ? await retireWorktree(agent.worktree, options.keep ?? false, deps.logger) : null;
  deps.logger.info(`killed agent ${agent.id}`, { windowId: agent.windowId, archive, worktree });
  return { agent, archive, worktree };
}
