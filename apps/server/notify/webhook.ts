import { setTimeout as sleep } from 'node:timers/promises';
import type { CmuxConfig } from '../../core/src/config/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { httpRequest } from '../../core/src/server-client/index.js';

// Deliveries under way at once; more are dropped (and counted) rather than piling up.
const MAX_IN_FLIGHT = 16;
const FIRST_RETRY_MS = 1_000;

export interface WebhookSender {
  send(payload: Record<string, unknown>): void;
  stop(): void;
}

// Posts JSON to the configured URL in the background: `send` returns at once, a failed attempt
// is retried with doubling waits, and a failing URL is logged once (and once more when it works
// again), not at every attempt.
export function createWebhookSender(webhook: CmuxConfig['notify']['webhook'], logger: Logger): WebhookSender {
  const stopping = new AbortController();
  let inFlight = 0;
  let failing = false;
  let dropped = 0;

  async function attempt(url: string, body: string): Promise<void> {
    const answer = await httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'cmux' },
      body,
      timeoutMs: webhook.timeoutMs,
      signal: stopping.signal,
    });
    if (answer.status < 200 || answer.status > 299) throw new Error(`HTTP ${answer.status}`);
  }

  async function deliver(url: string, body: string): Promise<void> {
    for (let tries = 0; ; tries++) {
      try {
        await attempt(url, body);
        if (failing) logger.info('the notification webhook works again');
        failing = false;
        return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        if (tries >= webhook.retries) {
          // The URL may hold a secret (Slack's do): only its host is logged.
          if (!failing) logger.warn(`the notification webhook at ${new URL(url).host} fails (${(error as Error).message}); dropped a notification after ${tries + 1} attempt(s), and say so once until it works again`);
          failing = true;
          return;
        }
        await sleep(FIRST_RETRY_MS * 2 ** tries, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  return {
    send(payload) {
      const url = webhook.url;
      if (!url || stopping.signal.aborted) return;
      if (inFlight >= MAX_IN_FLIGHT) {
        if (dropped++ === 0) logger.warn(`the notification webhook is ${MAX_IN_FLIGHT} deliveries behind; dropping notifications`);
        return;
      }
      inFlight += 1;
      void deliver(url, JSON.stringify(payload)).finally(() => {
        inFlight -= 1;
        if (inFlight === 0) dropped = 0;
      });
    },
    stop() {
      stopping.abort();
    },
  };
}
