import { setTimeout as sleep } from 'node:timers/promises';
import { agentId, detectPaneStatus, type AgentKind } from '../core/src/agents/index.js';
import { isCmuxError } from '../core/src/errors/index.js';
import { deliverText, type DeliveryResult } from '../core/src/input/index.js';
import { agentOf, type MailboxMessage } from '../core/src/mailbox/index.js';
import { hookConfirmation } from './confirm-prompt.js';
import type { AgentDeps } from './deps.js';
import { findAgent } from './find.js';
import { renderForAgent } from './render.js';
import { alreadyTyped, formatMark, markScreen, parseMark } from './screen-mark.js';
import { withTypingLock } from './typing-lock.js';

// Without a stream of the pane's output, its screen is read this often while waiting for idle;
// with one, when it has printed and held still for STATUS_QUIET_MS (half a redraw is no
// status), at most every STATUS_LOOK_GAP_MS, and at the latest after STATUS_SAFETY_MS (a
// screen that changed without output: tmux's own drawing).
const STATUS_POLL_MS = 300;
const STATUS_SAFETY_MS = 2_000;
const STATUS_QUIET_MS = 30;
const STATUS_LOOK_GAP_MS = 100;
const RESOLVE_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000];
const RETRY_DELAY_MS = 1_000;

// What the typist (the router) keeps about a message while it is typed: notes go into its
// history, and a message it was typing when it died comes back with the note it left.
export interface TypingJournal {
  // For a message a typist was typing when it died: the detail it noted before typing.
  resumed: { detail: string | null } | null;
  note(status: 'queued' | 'delivering', detail: string | null): void;
  isStopping(): boolean;
}

export type TypingOutcome =
  | { outcome: 'delivered'; recovered: true }
  | { outcome: 'delivered'; recovered: false; result: DeliveryResult }
  | { outcome: 'dead'; reason: string }
  | { outcome: 'deferred' };

type Resolved = Awaited<ReturnType<typeof findAgent>>;

// Types one message into its agent: renders it under its sender's tag, waits (bounded) for the
// agent to exist and to be idle, and types it under the agent's typing lock. A message whose
// typist died while typing it is, if its text is already on the screen, only submitted (or
// counted), never typed twice.
export async function typeMessage(deps: AgentDeps, message: MailboxMessage, journal: TypingJournal): Promise<TypingOutcome> {
  const { config } = deps;
  const target = agentOf(message.to)!;
  const id = agentId(target.session ?? config.tmux.session, target.name, config.tmux.session);
  const text = renderForAgent(message);

  const found = await resolve(deps, id, journal);
  if (found === 'stopping') return { outcome: 'deferred' };
  if (found === null) return { outcome: 'dead', reason: `no live agent ${message.to} within ${config.router.unknownRecipientMs / 1000} s` };
  const { windowId, name, command } = found.agent;
  const kind = deps.kinds.forCommand(command);

  if (journal.resumed) {
    const mark = parseMark(journal.resumed.detail);
    if (await withTypingLock(deps, id, () => alreadyTyped(deps.tmux, windowId, kind.composer, text, mark))) return { outcome: 'delivered', recovered: true };
  }

  const idle = await waitUntilIdle(deps, message.id, id, windowId, kind, journal);
  if (idle !== 'go') return idle;

  for (let attempt = 1; ; attempt++) {
    if (journal.isStopping()) return { outcome: 'deferred' };
    try {
      const result = await withTypingLock(deps, id, async () => {
        // What the screen shows before typing, so a typist that dies before its outcome is
        // noted can tell afterwards whether this copy was typed (the same text may be on screen
        // already). A pane that cannot be read now fails the typing below, which retries.
        const mark = await markScreen(deps.tmux, windowId, text).catch(() => null);
        journal.note('delivering', mark && formatMark(mark));
        const confirm = kind.confirmByHook ? hookConfirmation(config, name) : undefined;
        return deliverText({ tmux: deps.tmux, target: windowId, text, kind, confirm });
      });
      if (result.outcome === 'typed-not-submitted') {
        return { outcome: 'dead', reason: `typed into ${id} but not submitted after ${result.enterPresses} Enter presses` };
      }
      if (result.outcome === 'not-confirmed') {
        return {
          outcome: 'dead',
          reason: `typed into ${id} and submitted, but the agent never reported taking it (no prompt hook event carried it): are cmux's hook settings in its command?`,
        };
      }
      return { outcome: 'delivered', recovered: false, result };
    } catch (error) {
      if (attempt >= config.router.deliveryAttempts) {
        return { outcome: 'dead', reason: `typing into ${id} failed ${attempt} times: ${(error as Error).message.split('\n')[0]}` };
      }
      deps.logger.warn(`delivery of ${message.id} to ${id} failed (attempt ${attempt}); retrying`, { error: (error as Error).message });
      await sleep(RETRY_DELAY_MS);
    }
  }
}

// Typed only into an idle agent, and waited for without holding the typing lock. A busy one
// takes it after the wait (an agent queues what it is given while it works); a dialog never
// does: the message waits, says so, and is given up when the dialog is still there after the wait.
async function waitUntilIdle(deps: AgentDeps, messageId: string, id: string, windowId: string, kind: AgentKind, journal: TypingJournal): Promise<'go' | TypingOutcome> {
  if (kind.status.idle.length === 0) return 'go';
  const { busyWaitMs } = deps.config.router;
  const deadline = Date.now() + busyWaitMs;
  const watch = await deps.tmux.watchPane(windowId).catch(() => null);
  try {
    let noted = false;
    for (;;) {
      if (journal.isStopping()) return { outcome: 'deferred' };
      const looked = Date.now();
      const status = detectPaneStatus(kind, await deps.tmux.capturePane(windowId).catch(() => ''));
      if (status === 'idle') return 'go';
      if (status === 'waiting' && !noted) {
        noted = true;
        journal.note('queued', `waiting: ${id} shows a dialog; answer it (\`npx cmux answer ${id}\`) and the message follows`);
      }
      if (Date.now() >= deadline) {
        if (status === 'waiting') return { outcome: 'dead', reason: `${id} still showed a dialog after ${busyWaitMs / 1000} s; the message was not typed into it` };
        deps.logger.warn(`typing ${messageId} into ${id} after waiting ${busyWaitMs / 1000} s for it to be idle`);
        return 'go';
      }
      const left = deadline - Date.now();
      if (watch) await watch.redrawn(Math.min(STATUS_SAFETY_MS, left), { quietMs: STATUS_QUIET_MS, pollMs: STATUS_POLL_MS });
      else await sleep(Math.min(STATUS_POLL_MS, left));
      await sleep(Math.max(0, Math.min(STATUS_LOOK_GAP_MS - (Date.now() - looked), deadline - Date.now())));
    }
  } finally {
    watch?.close();
  }
}

// The agent, once it is registered with a live window; null after the bounded wait.
async function resolve(deps: AgentDeps, id: string, journal: TypingJournal): Promise<Resolved | null | 'stopping'> {
  const deadline = Date.now() + deps.config.router.unknownRecipientMs;
  for (let i = 0; ; i++) {
    if (journal.isStopping()) return 'stopping';
    try {
      const found = await findAgent(deps, id);
      if (found.window && !found.window.paneDead) return found;
    } catch (error) {
      if (!isCmuxError(error, 'CMUX_ERR_AGENT_NOT_FOUND')) throw error;
    }
    if (Date.now() >= deadline) return null;
    await sleep(Math.min(RESOLVE_BACKOFF_MS[Math.min(i, RESOLVE_BACKOFF_MS.length - 1)]!, Math.max(0, deadline - Date.now())));
  }
}
