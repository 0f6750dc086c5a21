import type { JsMsg } from '@nats-io/jetstream';
import type { ClusterConfig, CmuxConfig } from '../../core/src/config/index.js';
import type { DeliveryStatus, HistoryStore } from '../../core/src/history/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { agentOf, localiseMessage, type MailboxMessage } from '../../core/src/mailbox/index.js';
import { postEvent } from '../../core/src/server-client/index.js';
import { namesOf, parseSubject } from '../../cluster/names.js';
import { readDurable, type DurableReader } from '../../cluster/nats/durable.js';
import type { NatsLink } from '../../cluster/nats/link.js';
import { statusEventSchema, wireMessageSchema, type StatusEvent } from '../../cluster/wire.js';

const ACK_EVERY_MS = 200;
const MAX_EARLY = 10_000;

export interface MirrorDeps {
  config: CmuxConfig;
  cluster: ClusterConfig;
  link: NatsLink;
  logger: Logger;
  history: HistoryStore;
}

// Keeps this host's history whole across the cluster (mirror_<host>, every subject of the
// stream): the messages other hosts carry between themselves or deliver at home, and where
// each stands, so every dashboard shows the whole team's conversation and `cmux send w1@b`
// learns from its own history when b typed it. What this host has through other paths is
// skipped: its own mail (deliver_<host>), what it sent, its own copies and statuses. Nothing
// here is ever delivered: another host's messages are that host's to deliver. A message seen
// again is stored once, and a status only ever moves a message forward.
export function createMirror(deps: MirrorDeps) {
  const { cluster, link, logger, history, config } = deps;
  const names = namesOf(cluster);
  const self = cluster.host;
  // Statuses that came before their message (a host's statuses and copies travel apart).
  const early = new Map<string, StatusEvent>();
  let last: JsMsg | null = null;
  let acked: JsMsg | null = null;
  let reader: DurableReader | undefined;
  let timer: NodeJS.Timeout | undefined;

  function apply(event: StatusEvent): boolean {
    if (!history.advance(event.id, event.status as DeliveryStatus, event.detail, event.at)) return false;
    const stored = history.get(event.id)!;
    void postEvent(config, 'message_status', { id: stored.id, from: stored.from, to: stored.to, status: stored.status, detail: stored.detail });
    return true;
  }

  function store(message: MailboxMessage): void {
    const agent = agentOf(message.to);
    const status: DeliveryStatus = message.to === 'user' || (agent && message.replyTo) ? 'delivered' : agent ? 'queued' : 'dead';
    if (!history.insert(message, status)) return;
    void postEvent(config, 'message', message);
    const pending = early.get(message.id);
    if (pending) {
      early.delete(message.id);
      apply(pending);
    }
  }

  function handle(msg: JsMsg): void {
    last = msg;
    const subject = parseSubject(cluster.name, msg.subject);
    if (!subject) return;
    const own = subject.kind === 'mail' ? subject.toHost === self || subject.fromHost === self : subject.host === self;
    if (own) return;
    let value: unknown;
    try {
      value = JSON.parse(msg.string());
    } catch {
      logger.warn(`cluster: ignored a payload that is not JSON on ${msg.subject}`);
      return;
    }
    if (subject.kind === 'status') {
      const event = statusEventSchema.safeParse(value);
      if (!event.success) return logger.warn(`cluster: ignored a bad status on ${msg.subject}`);
      if (!apply(event.data) && !history.get(event.data.id)) {
        if (early.size >= MAX_EARLY) early.delete(early.keys().next().value!);
        early.set(event.data.id, event.data);
      }
      return;
    }
    const wire = wireMessageSchema.safeParse(value);
    if (!wire.success) return logger.warn(`cluster: ignored a bad message on ${msg.subject}`);
    const { attachment, ...message } = wire.data;
    store(localiseMessage(attachment ? { ...message, body: '(The full message is an attachment on the host it was sent to.)' } : message, self));
  }

  return {
    start(): void {
      reader = readDurable(
        link,
        names.stream,
        { durable_name: names.mirror(self), ack_policy: link.lib.jetstream.AckPolicy.All, max_ack_pending: 10_000, max_deliver: -1 },
        logger,
        async (msg) => handle(msg),
      );
      // One acknowledgement covers everything up to it.
      timer = setInterval(() => {
        if (last && last !== acked) {
          last.ack();
          acked = last;
        }
      }, ACK_EVERY_MS);
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await reader?.stop();
      if (last && last !== acked) last.ack();
    },
  };
}
