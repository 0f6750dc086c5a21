import type { CmuxConfig } from '../../core/src/config/index.js';
import type { DeliveryStatus, HistoryStore } from '../../core/src/history/index.js';
import type { Logger } from '../../core/src/log/index.js';
import type { MailboxMessage } from '../../core/src/mailbox/index.js';
import type { DeadLetters } from '../dead-letters.js';
import type { MailboxCursor } from '../mailbox-reader.js';
import { localTransport } from './local.js';

// How a delivery to one of this host's agents ended (see deliverToAgent).
export type DeliveryOutcome = 'delivered' | 'dead' | 'deferred' | 'withdrawn';

// What the router lends its transport: its history, dead letters, and its way of storing and
// delivering a message as if it had read it from its own mailbox.
export interface RouterSide {
  config: CmuxConfig;
  logger: Logger;
  history: HistoryStore;
  deadLetters: DeadLetters;
  // How far the router has read the mailbox: the forwarder never goes past it, so whatever
  // leaves this host is in its history first (where a withdrawal can find it).
  cursor(): MailboxCursor;
  // Takes a message that came from another host as if this host's mailbox held it: stores it
  // and delivers it. `new`: its outcome goes to `settled`; `dead`: refused (dead-lettered, a
  // final status); `known`: stored before (the history says where it stands).
  receive(message: MailboxMessage): Promise<'new' | 'dead' | 'known'>;
}

// How mail travels beyond this host. The single host's transport carries nothing; a cluster
// member's carries mail through NATS JetStream (./jetstream.ts, loaded only then). The router
// knows only this interface.
export interface MailTransport {
  // This host's name in the cluster, or null for a single host.
  readonly self: string | null;
  // Starts carrying mail; never waits for the hub (local delivery does not depend on it).
  start(side: RouterSide): Promise<void>;
  // For a message to another host's agent: null when it is carried there (its status comes
  // back from that host), else why it cannot be (it is dead-lettered).
  remote(message: MailboxMessage): string | null;
  // The router read new mailbox lines.
  wake(): void;
  // A delivery to one of this host's agents ended (every one, whoever started it).
  settled(message: MailboxMessage, outcome: DeliveryOutcome): void;
  // Where a message this host delivers stands now.
  status(message: MailboxMessage, status: DeliveryStatus, detail: string | null): void;
  stop(): Promise<void>;
}

// The transport this configuration calls for: NATS (and its packages) only on a cluster member.
export async function createMailTransport(config: CmuxConfig, logger: Logger): Promise<MailTransport> {
  if (!config.cluster) return localTransport;
  const { createJetStreamTransport } = await import('./jetstream.js');
  return createJetStreamTransport(config, config.cluster, logger);
}
