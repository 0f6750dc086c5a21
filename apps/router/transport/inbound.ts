import { setTimeout as sleep } from 'node:timers/promises';
import type { JsMsg } from '@nats-io/jetstream';
import type { ClusterConfig, CmuxConfig } from '../../core/src/config/index.js';
import type { HistoryStore } from '../../core/src/history/index.js';
import { writeAttachment } from '../../core/src/journal/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { hostOf, localiseMessage, type MailboxMessage } from '../../core/src/mailbox/index.js';
import { namesOf, parseSubject } from '../../cluster/names.js';
import { readDurable, type DurableReader } from '../../cluster/nats/durable.js';
import type { NatsLink } from '../../cluster/nats/link.js';
import { wireMessageSchema } from '../../cluster/wire.js';
import type { DeadLetters } from '../dead-letters.js';
import type { DeliveryOutcome, RouterSide } from './index.js';
import type { StatusPublisher } from './statuses.js';

const ACK_WAIT_MS = 120_000;
// Held messages are told to wait this often, well inside ack_wait.
const WORKING_EVERY_MS = 30_000;
const NS_PER_MS = 1_000_000;
const FINAL = new Set(['delivered', 'dead', 'withdrawn']);

export interface InboundDeps {
  config: CmuxConfig;
  cluster: ClusterConfig;
  link: NatsLink;
  logger: Logger;
  side: RouterSide;
  statuses: StatusPublisher;
}

// Takes the mail for this host's agents from its durable consumer (deliver_<host>) and hands
// it to the router as a line of its own mailbox. The history is the guard: a message it has
// already finished is acknowledged without being typed (JetStream may deliver a message again,
// even one whose acknowledgement it confirmed, after a crash of the hub). A message is
// acknowledged only once its delivery is final — the agent confirmed it, or it was
// dead-lettered or withdrawn — and only after its final status is on its way back to the
// sender's host; until then the consumer holds it (told so every 30 s), and a router that dies
// gets it again from the rewind at its next start.
export function createInbound(deps: InboundDeps) {
  const { cluster, link, logger, side, statuses } = deps;
  const names = namesOf(cluster);
  const self = cluster.host;
  const history: HistoryStore = side.history;
  const deadLetters: DeadLetters = side.deadLetters;
  // What JetStream delivered and waits to hear about, by message id (a redelivery adds a handle).
  const held = new Map<string, JsMsg[]>();
  let reader: DurableReader | undefined;
  let working: NodeJS.Timeout | undefined;

  const hold = (id: string, msg: JsMsg): void => void held.set(id, [...(held.get(id) ?? []), msg]);

  // Sends the final status home, then acknowledges; a status that cannot be sent leaves the
  // message unacknowledged, so it comes again and the guard sends the status then.
  async function finish(message: MailboxMessage, handles: readonly JsMsg[]): Promise<void> {
    const stored = history.get(message.id);
    if (!stored) return;
    if (await statuses.publishFinal(stored)) for (const handle of handles) handle.ack();
  }

  async function refuse(msg: JsMsg, reason: string, line: string, message?: { id: string; from: string; to: string }): Promise<void> {
    msg.term();
    await deadLetters.add({ reason, line: line.slice(0, 64 * 1024), bytes: Buffer.byteLength(line), ...(message ?? {}) });
  }

  async function handle(msg: JsMsg): Promise<void> {
    const subject = parseSubject(cluster.name, msg.subject);
    const text = msg.string();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return refuse(msg, `not JSON (from the cluster, ${msg.subject})`, text);
    }
    const parsed = wireMessageSchema.safeParse(value);
    if (!parsed.success || subject?.kind !== 'mail' || subject.toHost !== self) {
      return refuse(msg, `not a message for this host (${msg.subject})${parsed.success ? '' : `: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`}`, text);
    }
    const { attachment, ...wire } = parsed.data;
    // A host speaks only for itself: its agents and daemons carry its name (the subject's,
    // which the hub lets only that host publish); the user is everyone's.
    if (wire.from !== 'user' && hostOf(wire.from) !== subject.fromHost) {
      return refuse(msg, `sender host mismatch: ${wire.from} sent by host ${subject.fromHost}`, text, wire);
    }
    const message: MailboxMessage = localiseMessage(wire, self);
    if (attachment && !history.get(message.id)) message.bodyFile = writeAttachment(deps.config.home, `message-${message.id.slice(0, 8)}`, 'md', attachment.content);
    const outcome = await side.receive(message);
    if (outcome === 'new') return hold(message.id, msg);
    const stored = history.get(message.id);
    if (outcome === 'dead' || (stored && FINAL.has(stored.status))) return finish(message, [...(held.get(message.id) ?? []), msg]).then(() => void held.delete(message.id));
    hold(message.id, msg);
  }

  return {
    start(): void {
      reader = readDurable(
        link,
        names.stream,
        {
          durable_name: names.deliver(self),
          filter_subject: names.mailTo(self),
          ack_policy: link.lib.jetstream.AckPolicy.Explicit,
          ack_wait: ACK_WAIT_MS * NS_PER_MS,
          max_ack_pending: cluster.maxInFlight,
          max_deliver: -1,
        },
        logger,
        handle,
      );
      working = setInterval(() => {
        for (const handles of held.values()) handles.at(-1)?.working();
      }, WORKING_EVERY_MS);
    },
    // A delivery ended: what JetStream holds of that message is finished with (a delivery a
    // stopping router deferred is left to come again).
    settled(message: MailboxMessage, outcome: DeliveryOutcome): void {
      const handles = held.get(message.id);
      if (!handles || outcome === 'deferred') return;
      held.delete(message.id);
      void finish(message, handles);
    },
    async stop(): Promise<void> {
      clearInterval(working);
      await reader?.stop();
      // Give the last acknowledgements a moment to leave.
      await sleep(50);
    },
  };
}
