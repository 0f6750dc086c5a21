import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveryStatus, HistoryStore } from '../core/src/history/index.js';
import type { Logger } from '../core/src/log/index.js';
import type { MailboxMessage } from '../core/src/mailbox/index.js';
import { postEvent } from '../core/src/server-client/index.js';
import { typeMessage, type AgentDeps } from '../agents/index.js';
import type { DeadLetters } from './dead-letters.js';

export interface AgentDeliveryContext {
  deps: AgentDeps;
  history: HistoryStore;
  deadLetters: DeadLetters;
  logger: Logger;
  isStopping: () => boolean;
  // Told every status noted, after the history (a cluster tells the sender's host).
  onStatus?: (status: DeliveryStatus, detail: string | null) => void;
}

type Outcome = 'delivered' | 'dead' | 'deferred' | 'withdrawn';

// A failure typing does not expect (the tmux server not answering within its timeout on a
// loaded machine, the registry unreadable for a moment) is tried again this often, waiting
// longer each time, before the message is dead-lettered with it.
const UNEXPECTED_RETRY_MS = [1_000, 3_000, 10_000];

// Delivers one stored message to its agent: the agents module types it in; the router keeps
// the history of it and dead-letters what could not be typed. `recovering` is set for a
// message the router was typing when it died. A message its sender withdrew is left alone.
// The agent's next message waits for this one's outcome: an error here is retried in turn
// (from where the last try left it), never skipped, which would let later messages overtake it
// and leave it queued until the router's next start.
export async function deliverToAgent(ctx: AgentDeliveryContext, message: MailboxMessage, recovering: boolean): Promise<Outcome> {
  for (let attempt = 0; ; attempt++) {
    const resumed = recovering || ctx.history.get(message.id)?.status === 'delivering';
    try {
      return await tryDelivery(ctx, message, resumed);
    } catch (error) {
      const why = (error as Error).message.split('\n')[0]!;
      if (ctx.isStopping()) return 'deferred';
      if (attempt >= UNEXPECTED_RETRY_MS.length) return dead(ctx, message, `delivering to ${message.to} failed ${attempt + 1} times: ${why}`);
      ctx.logger.warn(`delivery of ${message.id} to ${message.to} failed (${why}); trying again in ${UNEXPECTED_RETRY_MS[attempt]! / 1000} s, before its later messages`);
      await sleep(UNEXPECTED_RETRY_MS[attempt]!);
    }
  }
}

async function tryDelivery(ctx: AgentDeliveryContext, message: MailboxMessage, recovering: boolean): Promise<Outcome> {
  const { history, logger } = ctx;
  const typed = await typeMessage(ctx.deps, message, {
    resumed: recovering ? { detail: history.get(message.id)?.detail ?? null } : null,
    note: (status, detail) => record(ctx, message, status, detail),
    isStopping: ctx.isStopping,
  });
  switch (typed.outcome) {
    case 'deferred':
      return 'deferred';
    case 'withdrawn':
      logger.info(`withdrawn ${message.id} ${message.from} -> ${message.to}: its sender took it back before it was typed`);
      return 'withdrawn';
    case 'dead':
      return dead(ctx, message, typed.reason);
    case 'delivered':
      if (typed.recovered) {
        record(ctx, message, 'delivered', 'recovered after a router restart');
        logger.info(`delivered ${message.id} ${message.from} -> ${message.to} (recovered: it was on screen)`);
      } else {
        record(ctx, message, 'delivered');
        logger.info(`delivered ${message.id} ${message.from} -> ${message.to} in ${Date.now() - Date.parse(message.ts)} ms`, {
          bytes: typed.result.bytes,
          method: typed.result.method,
        });
      }
      return 'delivered';
  }
}

// Stores where the message's delivery stands and tells the dashboards (best effort: a
// dashboard that missed it reads the history); false, and nothing told, when it was withdrawn.
function record(ctx: AgentDeliveryContext, message: MailboxMessage, status: DeliveryStatus, detail: string | null = null): boolean {
  if (!ctx.history.setStatus(message.id, status, detail)) return false;
  void postEvent(ctx.deps.config, 'message_status', { id: message.id, from: message.from, to: message.to, status, detail });
  ctx.onStatus?.(status, detail);
  return true;
}

async function dead(ctx: AgentDeliveryContext, message: MailboxMessage, reason: string): Promise<'dead' | 'withdrawn'> {
  if (!record(ctx, message, 'dead', reason)) return 'withdrawn';
  const { id, ts, from, to, subject, body, bodyFile } = message;
  const line = JSON.stringify({ id, ts, from, to, subject, body, bodyFile });
  await ctx.deadLetters.add({ reason, line, bytes: Buffer.byteLength(line), id: message.id, from: message.from, to: message.to });
  return 'dead';
}
