import { setTimeout as sleep } from 'node:timers/promises';
import { agentId, detectPaneStatus, type AgentKind } from '../core/src/agents/index.js';
import { isCmuxError } from '../core/src/errors/index.js';
import { composerText, deliverText, submitTyped, type DeliveryResult } from '../core/src/input/index.js';
import { agentOf, type MailboxMessage } from '../core/src/mailbox/index.js';
import { hookConfirmation } from './confirm-prompt.js';
import type { AgentDeps } from './deps.js';
import { findAgent } from './find.js';
import { renderForAgent } from './render.js';
import { formatMark, markScreen, parseMark, whereTyped, type ScreenMark } from './screen-mark.js';
import { finishStart } from './start.js';
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
  // Notes where the message stands; false when its sender withdrew it meanwhile. The note
  // `delivering`, taken under the typing lock just before typing, is the router's claim: a
  // message claimed can no longer be withdrawn, and one withdrawn is never typed.
  note(status: 'queued' | 'delivering', detail: string | null): boolean;
  isStopping(): boolean;
}

export type TypingOutcome =
  | { outcome: 'delivered'; recovered: true }
  | { outcome: 'delivered'; recovered: false; result: DeliveryResult }
  | { outcome: 'dead'; reason: string }
  | { outcome: 'deferred' }
  | { outcome: 'withdrawn' };

type Resolved = Awaited<ReturnType<typeof findAgent>>;

// Types one message into its agent: renders it under its sender's tag, waits (bounded) for the
// agent to exist, to have started (finishing its start when no one else does: a spawn that did
// not wait), to be idle and to have an empty input box, and types it under the agent's typing
// lock. Text is never typed on top of text already in the box (both would go in one prompt). A
// message an earlier attempt (or a typist that died) already typed is, if it is still in the
// box, only submitted; if it was submitted, only counted; never typed twice.
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
  if (found.agent.starting) {
    const started = await untilStarted(deps, id, journal);
    if (started !== 'go') return started;
  }
  const delivery = { tmux: deps.tmux, target: windowId, text, kind, confirm: kind.confirmByHook ? hookConfirmation(config, name) : undefined };

  // Set once typing began: what the screen showed before (null when it could not be read).
  let typing: { mark: ScreenMark | null } | null = journal.resumed ? { mark: parseMark(journal.resumed.detail) } : null;
  for (let attempt = 1; ; ) {
    if (!typing) {
      const ready = await waitUntilReady(deps, message.id, id, windowId, kind, journal);
      if (ready !== 'go') return ready;
    }
    if (journal.isStopping()) return { outcome: 'deferred' };
    try {
      const result = await withTypingLock(deps, id, async () => {
        if (typing) {
          const left = await whereTyped(deps.tmux, windowId, kind, text, typing.mark);
          if (left === 'submitted') return 'recovered';
          return left === 'in-box' ? submitTyped(delivery) : 'nowhere';
        }
        if (composerText(kind, await deps.tmux.capturePane(windowId))) return 'occupied';
        // What the screen shows before typing, so an attempt that fails (or a typist that dies)
        // before its outcome is noted can tell afterwards whether this copy was typed (the same
        // text may be on screen already). A pane that cannot be read now fails the typing
        // below, which retries.
        const mark = await markScreen(deps.tmux, windowId, text).catch(() => null);
        if (!journal.note('delivering', mark && formatMark(mark))) return 'withdrawn';
        typing = { mark };
        return deliverText(delivery);
      });
      if (result === 'withdrawn') return { outcome: 'withdrawn' };
      if (result === 'recovered') return { outcome: 'delivered', recovered: true };
      // Typed as a new message once the agent is ready again.
      if (result === 'nowhere') typing = null;
      if (result === 'occupied' || result === 'nowhere') continue;
      return outcomeOf(id, result);
    } catch (error) {
      if (attempt >= config.router.deliveryAttempts) {
        return { outcome: 'dead', reason: `typing into ${id} failed ${attempt} times: ${(error as Error).message.split('\n')[0]}` };
      }
      deps.logger.warn(`delivery of ${message.id} to ${id} failed (attempt ${attempt}); retrying`, { error: (error as Error).message });
      attempt += 1;
      await sleep(RETRY_DELAY_MS);
    }
  }
}

function outcomeOf(id: string, result: DeliveryResult): TypingOutcome {
  if (result.outcome === 'typed-not-submitted') {
    return { outcome: 'dead', reason: `typed into ${id} but not submitted after ${result.enterPresses} Enter presses; it is still in its input box` };
  }
  if (result.outcome === 'not-confirmed') {
    return {
      outcome: 'dead',
      reason: `typed into ${id} and submitted, but the agent never reported taking it (no prompt hook event carried it): are cmux's hook settings in its command?`,
    };
  }
  return { outcome: 'delivered', recovered: false, result };
}

// Typed only into an idle agent whose input box is empty, and waited for without holding the
// typing lock. A busy one takes it after the wait (an agent queues what it is given while it
// works); a dialog, or text someone left in the input box, never does: the message waits, says
// why, and is given up when that is still there after the wait.
async function waitUntilReady(deps: AgentDeps, messageId: string, id: string, windowId: string, kind: AgentKind, journal: TypingJournal): Promise<'go' | TypingOutcome> {
  const { busyWaitMs } = deps.config.router;
  const deadline = Date.now() + busyWaitMs;
  let noted: 'waiting' | 'occupied' | null = null;
  // Says why the message waits, once per reason; false when its sender withdrew it meanwhile.
  const note = (why: 'waiting' | 'occupied', detail: string): boolean => {
    if (noted === why) return true;
    noted = why;
    return journal.note('queued', detail);
  };
  // Opened at the first look that does not go, and looked again at once, so that nothing the
  // pane printed in between is missed; a ready agent costs one capture.
  let watch: Awaited<ReturnType<AgentDeps['tmux']['watchPane']>> | null | undefined;
  try {
    for (;;) {
      if (journal.isStopping()) return { outcome: 'deferred' };
      const looked = Date.now();
      const pane = await deps.tmux.capturePane(windowId).catch(() => '');
      const status = kind.status.idle.length === 0 ? 'idle' : detectPaneStatus(kind, pane);
      const occupied = Boolean(composerText(kind, pane));
      if (status === 'idle' && !occupied) return 'go';
      if (occupied) {
        if (!note('occupied', `waiting: ${id}'s input box holds text that was never submitted, and cmux types nothing on top of it; submit or clear it (\`cmux attach ${id}\`) and the message follows`)) return { outcome: 'withdrawn' };
      } else if (status === 'waiting') {
        if (!note('waiting', `waiting: ${id} shows a dialog; answer it (\`cmux answer ${id}\`) and the message follows`)) return { outcome: 'withdrawn' };
      }
      if (Date.now() >= deadline) {
        if (occupied) return { outcome: 'dead', reason: `${id}'s input box still held text that was never submitted after ${busyWaitMs / 1000} s; the message was not typed on top of it` };
        if (status === 'waiting') return { outcome: 'dead', reason: `${id} still showed a dialog after ${busyWaitMs / 1000} s; the message was not typed into it` };
        deps.logger.warn(`typing ${messageId} into ${id} after waiting ${busyWaitMs / 1000} s for it to be idle`);
        return 'go';
      }
      if (watch === undefined) {
        watch = await deps.tmux.watchPane(windowId).catch(() => null);
        continue;
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

// Waits for an agent that is still starting to show its prompt, finishing its start here when no
// one else is (see finishStart); the history says why the message waits. An agent that cannot
// start (it exited, asks what cmux must not answer, never shows its prompt) gets nothing typed.
async function untilStarted(deps: AgentDeps, id: string, journal: TypingJournal): Promise<'go' | TypingOutcome> {
  if (!journal.note('queued', `waiting: ${id} is starting; the message follows its prompt`)) return { outcome: 'withdrawn' };
  try {
    return (await finishStart(deps, id, journal.isStopping)) ? 'go' : { outcome: 'deferred' };
  } catch (error) {
    return { outcome: 'dead', reason: `${id} did not start: ${(error as Error).message}` };
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
