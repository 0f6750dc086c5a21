import { setTimeout as sleep } from 'node:timers/promises';
import {
  agentId,
  agentOf,
  deliverText,
  detectPaneStatus,
  isCmuxError,
  lastLines,
  postEvent,
  stillInComposer,
  type DeliveryStatus,
  type HistoryStore,
  type Logger,
  type MailboxMessage,
  type TmuxClient,
} from '../core/src/index.js';
import { findAgent, hookConfirmation, type AgentDeps } from '../agents/index.js';
import type { DeadLetters } from './dead-letters.js';
import { renderForAgent } from './render.js';

const STATUS_POLL_MS = 300;
const RESOLVE_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000];
const RETRY_DELAY_MS = 1_000;
const RECOVERY_HISTORY_LINES = 2_000;

export interface AgentDeliveryContext {
  deps: AgentDeps;
  history: HistoryStore;
  deadLetters: DeadLetters;
  logger: Logger;
  isStopping: () => boolean;
}

type Resolved = Awaited<ReturnType<typeof findAgent>>;

// Types one stored message into its agent: waits (bounded) for the agent to exist and to be
// idle, types it through the input module, and records the outcome. `recovering` is set for
// a message the router was typing when it died: if its text is already on the screen, it is
// only submitted (or counted), never typed twice.
export async function deliverToAgent(ctx: AgentDeliveryContext, message: MailboxMessage, recovering: boolean): Promise<'delivered' | 'dead' | 'deferred'> {
  const { deps, history, logger } = ctx;
  const { config } = deps;
  const target = agentOf(message.to)!;
  const id = agentId(target.session ?? config.tmux.session, target.name, config.tmux.session);
  const text = renderForAgent(message);

  const found = await resolve(ctx, id);
  if (found === 'stopping') return 'deferred';
  if (found === null) return dead(ctx, message, `no live agent ${message.to} within ${config.router.unknownRecipientMs / 1000} s`);
  const windowId = found.agent.windowId;
  const kind = deps.kinds.forCommand(found.agent.command);

  if (recovering && (await alreadyTyped(ctx, windowId, kind.composer, text, parseMark(history.get(message.id)?.detail)))) {
    record(ctx, message, 'delivered', 'recovered after a router restart');
    logger.info(`delivered ${message.id} ${message.from} -> ${message.to} (recovered: it was on screen)`);
    return 'delivered';
  }

  // Typed only into an idle agent. A busy one takes it after the wait (an agent queues what it
  // is given while it works); a dialog never does: the message waits, says so in the history,
  // and is dead-lettered when the dialog is still there after the wait.
  if (kind.status.idle.length > 0) {
    const deadline = Date.now() + config.router.busyWaitMs;
    let noted = false;
    for (;;) {
      if (ctx.isStopping()) return 'deferred';
      const status = detectPaneStatus(kind, await deps.tmux.capturePane(windowId).catch(() => ''));
      if (status === 'idle') break;
      if (status === 'waiting' && !noted) {
        noted = true;
        record(ctx, message, 'queued', `waiting: ${id} shows a dialog; answer it (\`npx cmux answer ${id}\`) and the message follows`);
      }
      if (Date.now() >= deadline) {
        if (status === 'waiting') return dead(ctx, message, `${id} still showed a dialog after ${config.router.busyWaitMs / 1000} s; the message was not typed into it`);
        logger.warn(`typing ${message.id} into ${id} after waiting ${config.router.busyWaitMs / 1000} s for it to be idle`);
        break;
      }
      await sleep(STATUS_POLL_MS);
    }
  }

  for (let attempt = 1; ; attempt++) {
    if (ctx.isStopping()) return 'deferred';
    // What the screen shows before typing, so a router that dies before it records the outcome
    // can tell afterwards whether this copy was typed (the same text may be on screen already).
    // A pane that cannot be read now fails the typing below, which retries.
    const mark = await markScreen(deps.tmux, windowId, text).catch(() => null);
    record(ctx, message, 'delivering', mark && formatMark(mark));
    try {
      const confirm = kind.confirmByHook ? hookConfirmation(config, found.agent.name) : undefined;
      const result = await deliverText({ tmux: deps.tmux, target: windowId, text, kind, from: message.from, confirm });
      if (result.outcome === 'typed-not-submitted') {
        return dead(ctx, message, `typed into ${id} but not submitted after ${result.enterPresses} Enter presses`);
      }
      if (result.outcome === 'not-confirmed') {
        return dead(ctx, message, `typed into ${id} and submitted, but the agent never reported taking it (no UserPromptSubmit hook): are cmux's hook settings in its command?`);
      }
      record(ctx, message, 'delivered');
      logger.info(`delivered ${message.id} ${message.from} -> ${message.to} in ${Date.now() - Date.parse(message.ts)} ms`, {
        bytes: result.bytes,
        method: result.method,
      });
      return 'delivered';
    } catch (error) {
      if (attempt >= config.router.deliveryAttempts) {
        return dead(ctx, message, `typing into ${id} failed ${attempt} times: ${(error as Error).message.split('\n')[0]}`);
      }
      logger.warn(`delivery of ${message.id} to ${id} failed (attempt ${attempt}); retrying`, { error: (error as Error).message });
      await sleep(RETRY_DELAY_MS);
    }
  }
}

// The agent, once it is registered with a live window; null after the bounded wait.
async function resolve(ctx: AgentDeliveryContext, id: string): Promise<Resolved | null | 'stopping'> {
  const deadline = Date.now() + ctx.deps.config.router.unknownRecipientMs;
  for (let i = 0; ; i++) {
    if (ctx.isStopping()) return 'stopping';
    try {
      const found = await findAgent(ctx.deps, id);
      if (found.window && !found.window.paneDead) return found;
    } catch (error) {
      if (!isCmuxError(error, 'CMUX_ERR_AGENT_NOT_FOUND')) throw error;
    }
    if (Date.now() >= deadline) return null;
    await sleep(Math.min(RESOLVE_BACKOFF_MS[Math.min(i, RESOLVE_BACKOFF_MS.length - 1)]!, Math.max(0, deadline - Date.now())));
  }
}

// Where the look for a message on screen starts (an absolute line of the pane, so scrolling
// does not move it) and how often its first line was shown from there before it was typed.
export interface ScreenMark {
  from: number;
  seen: number;
}

export async function markScreen(tmux: TmuxClient, windowId: string, text: string, from?: number): Promise<ScreenMark> {
  const size = await tmux.historySize(windowId);
  const start = from ?? Math.max(0, size - RECOVERY_HISTORY_LINES);
  const pane = await tmux.capturePane(windowId, { startLine: start - size });
  return { from: start, seen: occurrences(pane, firstLine(text)) };
}

// The mark as the history's detail of a message being delivered, and back.
export function formatMark(mark: ScreenMark): string {
  return `typing: its first line was on screen ${mark.seen} time(s) from line ${mark.from}`;
}

function parseMark(detail: string | null | undefined): ScreenMark | null {
  const match = /^typing: its first line was on screen (\d+) time\(s\) from line (\d+)$/.exec(detail ?? '');
  return match ? { seen: Number(match[1]), from: Number(match[2]) } : null;
}

// Whether an interrupted delivery already put the text on screen: it is in the composer, or
// its first line shows more often than it did before typing began (so an earlier copy of the
// same text, or a short text, is told apart). If it still waits to be submitted (in the
// composer, or on the cursor's line of a line-based program), Enter is pressed now; either
// way it is not typed again.
async function alreadyTyped(ctx: AgentDeliveryContext, windowId: string, composer: RegExp | null, text: string, mark: ScreenMark | null): Promise<boolean> {
  const { tmux } = ctx.deps;
  const now = await markScreen(tmux, windowId, text, mark?.from);
  const pane = await tmux.capturePane(windowId);
  if (composer && stillInComposer(composer, pane, text)) {
    await tmux.sendKeys(windowId, 'Enter');
    return true;
  }
  if (now.seen <= (mark?.seen ?? 0)) return false;
  if (!composer && lastLines(pane, 1).endsWith(lastLine(text)) && (await tmux.cursorColumn(windowId)) > 0) await tmux.sendKeys(windowId, 'Enter');
  return true;
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

// Stores where the message's delivery stands and tells the dashboards (best effort: a
// dashboard that missed it reads the history).
function record(ctx: AgentDeliveryContext, message: MailboxMessage, status: DeliveryStatus, detail: string | null = null): void {
  ctx.history.setStatus(message.id, status, detail);
  void postEvent(ctx.deps.config, 'message_status', { id: message.id, from: message.from, to: message.to, status, detail });
}

async function dead(ctx: AgentDeliveryContext, message: MailboxMessage, reason: string): Promise<'dead'> {
  record(ctx, message, 'dead', reason);
  const { id, ts, from, to, subject, body, bodyFile } = message;
  const line = JSON.stringify({ id, ts, from, to, subject, body, bodyFile });
  await ctx.deadLetters.add({ reason, line, bytes: Buffer.byteLength(line), id: message.id, from: message.from, to: message.to });
  return 'dead';
}
