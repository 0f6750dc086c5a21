import type { AgentStatus } from '../../core/src/agents/index.js';
import type { CmuxConfig, NotifyEvent } from '../../core/src/config/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { createWebhookSender, type WebhookSender } from './webhook.js';

export interface AgentNotice {
  agent: string;
  event: NotifyEvent;
  status: AgentStatus;
  previous: AgentStatus;
}

const TEXT: Record<NotifyEvent, (agent: string) => string> = {
  waiting: (agent) => `cmux: ${agent} is waiting for your answer`,
  done: (agent) => `cmux: ${agent} finished its turn and is idle`,
  exited: (agent) => `cmux: ${agent} exited on its own`,
};

const MINUTE_MS = 60_000;

// Sends an agent's notices to the webhook: only the configured events, at most one per agent
// and event in `minIntervalMs`, at most `maxPerMinute` in all. `text` is what Slack and ntfy
// show; the other fields are for programs.
export function createNotifier(config: CmuxConfig, logger: Logger, sender: WebhookSender = createWebhookSender(config.notify.webhook, logger)) {
  const { events, minIntervalMs, maxPerMinute } = config.notify;
  const last = new Map<string, number>();
  let windowStart = 0;
  let inWindow = 0;
  return {
    notify(notice: AgentNotice, now = Date.now()): boolean {
      if (!config.notify.webhook.url || !events.includes(notice.event)) return false;
      const key = `${notice.agent}\0${notice.event}`;
      if (now - (last.get(key) ?? Number.NEGATIVE_INFINITY) < minIntervalMs) return false;
      if (now - windowStart >= MINUTE_MS) [windowStart, inWindow] = [now, 0];
      if (inWindow >= maxPerMinute) {
        if (inWindow++ === maxPerMinute) logger.warn(`more than ${maxPerMinute} notifications this minute (notify.maxPerMinute): dropping the rest of the minute's`);
        return false;
      }
      inWindow += 1;
      last.set(key, now);
      sender.send({ text: TEXT[notice.event](notice.agent), ...notice, ts: new Date(now).toISOString() });
      return true;
    },
    stop(): void {
      sender.stop();
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
