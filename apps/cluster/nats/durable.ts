import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumerConfig, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../core/src/log/index.js';
import type { NatsLink } from './link.js';

const RETRY_MS = 1_000;
const PULL_BATCH = 256;

export interface DurableReader {
  stop(): Promise<void>;
}

// Reads a durable pull consumer of `stream`, one message at a time through `handle`, and keeps
// reading across everything: before it pulls (at start, after every reconnect, after an error)
// it rewinds the consumer to its acknowledgement floor, so whatever was delivered but not
// acknowledged — held by a reader that died, or lost with a hub that died — comes again in
// stream order before anything newer (JetStream alone would send it only after ack_wait,
// behind newer messages). The consumer is made here on first use, from `config`.
export function readDurable(link: NatsLink, stream: string, config: Partial<ConsumerConfig> & { durable_name: string }, logger: Logger, handle: (msg: JsMsg) => Promise<void>): DurableReader {
  const name = config.durable_name;
  let stopping = false;
  let current: ConsumerMessages | null = null;
  link.onDisconnect(() => current?.stop());

  async function rewind(nc: NatsConnection): Promise<void> {
    const { jetstream } = link.lib;
    const jsm = await jetstream.jetstreamManager(nc, { checkAPI: false });
    const info = await jsm.consumers.info(stream, name).catch((error: unknown) => {
      if ((error as { code?: number; api_error?: { err_code?: number } }).api_error?.err_code === 10014 || /consumer not found/i.test((error as Error).message)) return null;
      throw error;
    });
    if (!info) {
      await jsm.consumers.add(stream, { ...config, deliver_policy: jetstream.DeliverPolicy.All });
      logger.info(`cluster: made the consumer ${name}`);
      return;
    }
    await jsm.consumers.delete(stream, name);
    await jsm.consumers.add(stream, { ...config, deliver_policy: jetstream.DeliverPolicy.StartSequence, opt_start_seq: info.ack_floor.stream_seq + 1 });
    if (info.num_ack_pending > 0) logger.info(`cluster: ${name} rewound to ${info.ack_floor.stream_seq + 1} (${info.num_ack_pending} unacknowledged come again)`);
  }

  const done = (async () => {
    while (!stopping) {
      try {
        const nc = await link.whenUp(() => stopping);
        if (!nc) return;
        await rewind(nc);
        const consumer = await link.lib.jetstream.jetstream(nc).consumers.get(stream, name);
        const messages = await consumer.consume({ max_messages: PULL_BATCH });
        current = messages;
        void (async () => {
          for await (const status of messages.status()) {
            if (status.type === 'consumer_deleted' || status.type === 'consumer_not_found' || status.type === 'stream_not_found') {
              logger.warn(`cluster: ${name}: ${status.type}; making it again`);
              messages.stop();
            }
          }
        })().catch(() => undefined);
        for await (const msg of messages) {
          await handle(msg).catch((error: unknown) => logger.error(`cluster: ${name}: ${(error as Error).message}`, { error }));
        }
        // Stopped at a disconnect: pulled again once the link is back, after the rewind.
        current = null;
      } catch (error) {
        current = null;
        if (stopping) return;
        logger.warn(`cluster: reading ${name} failed (${(error as Error).message}); trying again`);
        await sleep(RETRY_MS);
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      current?.stop();
      await Promise.race([done, sleep(2_000)]);
    },
  };
}
