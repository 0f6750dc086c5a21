import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterConfig } from '../../core/src/config/index.js';
import type { DeliveryStatus, StoredMessage } from '../../core/src/history/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { namesOf } from '../../cluster/names.js';
import type { NatsLink } from '../../cluster/nats/link.js';
import type { StatusEvent } from '../../cluster/wire.js';

const PUBLISH_TIMEOUT_MS = 5_000;
const FINAL_ATTEMPTS = 3;
const MAX_QUEUED = 10_000;
const RETRY_MS = 500;

export type StatusPublisher = ReturnType<typeof createStatusPublisher>;

const isFinal = (status: DeliveryStatus) => status === 'delivered' || status === 'dead' || status === 'withdrawn';

// Tells the other hosts where the messages this host delivers stand (status.<host>): the
// sender's host waits on it (`cmux send w1@b` reads its own history), the others show it.
// A final status of a message from another host is sent before that message is acknowledged
// (publishFinal), so it cannot be lost; the rest go in order, as soon as the hub takes them.
export function createStatusPublisher(cluster: ClusterConfig, link: NatsLink, logger: Logger) {
  const subject = namesOf(cluster).status(cluster.host);
  const queue: StatusEvent[] = [];
  let stopping = false;
  let wakeUp: (() => void) | null = null;

  // A final status has one id in the hub's duplicate window: sent twice, it is stored once.
  const send = async (event: StatusEvent) => {
    const nc = link.connected() ? await link.ready() : null;
    if (!nc) throw new Error('not connected to the hub');
    await link.lib.jetstream
      .jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS })
      .publish(subject, JSON.stringify(event), { timeout: PUBLISH_TIMEOUT_MS, ...(isFinal(event.status) ? { msgID: `${event.id}.final` } : {}) });
  };

  const done = (async () => {
    while (!stopping) {
      const event = queue[0];
      if (!event) {
        await new Promise<void>((resolve) => (wakeUp = resolve));
        wakeUp = null;
        continue;
      }
      try {
        await send(event);
        queue.shift();
      } catch {
        await sleep(RETRY_MS);
      }
    }
  })();

  return {
    // Queues a status change (dropping the oldest when the hub has been away for long).
    note(id: string, status: DeliveryStatus, detail: string | null): void {
      if (queue.length >= MAX_QUEUED) {
        queue.shift();
        logger.warn(`cluster: more than ${MAX_QUEUED} statuses wait for the hub; the oldest is dropped (the other hosts' histories may show it late)`);
      }
      queue.push({ id, status, detail, at: new Date().toISOString() });
      wakeUp?.();
    },
    // Sends the final status of a message now; false when the hub did not take it.
    async publishFinal(message: StoredMessage): Promise<boolean> {
      for (let attempt = 1; attempt <= FINAL_ATTEMPTS && !stopping; attempt++) {
        try {
          await send({ id: message.id, status: message.status, detail: message.detail, at: new Date().toISOString() });
          return true;
        } catch (error) {
          if (attempt === FINAL_ATTEMPTS) logger.warn(`cluster: the status of ${message.id} did not reach the hub (${(error as Error).message}); it is sent again when the message comes again`);
          else await sleep(RETRY_MS);
        }
      }
      return false;
    },
    async stop(): Promise<void> {
      stopping = true;
      wakeUp?.();
      await Promise.race([done, sleep(1_000)]);
    },
  };
}
