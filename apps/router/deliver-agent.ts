import type { HistoryStore, Logger, MailboxMessage } from '../core/src/index.js';
import { typeMessage, type AgentDeps } from '../agents/index.js';
import type { DeadLetters } from './dead-letters.js';

export interface AgentDeliveryContext {
  deps: AgentDeps;
  history: HistoryStore;
  deadLetters: DeadLetters;
  logger: Logger;
  isStopping: () => boolean;
}

// Delivers one stored message to its agent: the agents module types it in; the router keeps
// the history of it and dead-letters what could not be typed. `recovering` is set for a
// message the router was typing when it died.
export async function deliverToAgent(ctx: AgentDeliveryContext, message: MailboxMessage, recovering: boolean): Promise<'delivered' | 'dead' | 'deferred'> {
  const { history, logger } = ctx;
  const typed = await typeMessage(ctx.deps, message, {
    resumed: recovering ? { detail: history.get(message.id)?.detail ?? null } : null,
    note: (status, detail) => history.setStatus(message.id, status, detail),
    isStopping: ctx.isStopping,
  });
  switch (typed.outcome) {
    case 'deferred':
      return 'deferred';
    case 'dead':
      return dead(ctx, message, typed.reason);
    case 'delivered':
      if (typed.recovered) {
        history.setStatus(message.id, 'delivered', 'recovered after a router restart');
        logger.info(`delivered ${message.id} ${message.from} -> ${message.to} (recovered: it was on screen)`);
      } else {
        history.setStatus(message.id, 'delivered');
        logger.info(`delivered ${message.id} ${message.from} -> ${message.to} in ${Date.now() - Date.parse(message.ts)} ms`, {
          bytes: typed.result.bytes,
          method: typed.result.method,
        });
      }
      return 'delivered';
  }
}

async function dead(ctx: AgentDeliveryContext, message: MailboxMessage, reason: string): Promise<'dead'> {
  ctx.history.setStatus(message.id, 'dead', reason);
  const { id, ts, from, to, subject, body, bodyFile } = message;
  const line = JSON.stringify({ id, ts, from, to, subject, body, bodyFile });
  await ctx.deadLetters.add({ reason, line, bytes: Buffer.byteLength(line), id: message.id, from: message.from, to: message.to });
  return 'dead';
}
