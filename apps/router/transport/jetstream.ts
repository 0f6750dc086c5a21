import type { ClusterConfig, CmuxConfig } from '../../core/src/config/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { openLink, type NatsLink } from '../../cluster/nats/link.js';
import { createForwarder } from './forwarder.js';
import { createInbound } from './inbound.js';
import type { MailTransport } from './index.js';
import { createMirror } from './mirror.js';
import { createStatusPublisher, type StatusPublisher } from './statuses.js';

// A cluster member's mail: the forwarder takes this host's mailbox to the hub, the inbound side
// brings the mail for its agents, the mirror the rest of the team's history, and the status
// publisher tells the other hosts how this host's deliveries went.
export async function createJetStreamTransport(config: CmuxConfig, cluster: ClusterConfig, logger: Logger): Promise<MailTransport> {
  let link: NatsLink | undefined;
  let statuses: StatusPublisher | undefined;
  let forwarder: ReturnType<typeof createForwarder> | undefined;
  let inbound: ReturnType<typeof createInbound> | undefined;
  let mirror: ReturnType<typeof createMirror> | undefined;
  return {
    self: cluster.host,
    async start(side) {
      link = await openLink(cluster, 'router', logger);
      statuses = createStatusPublisher(cluster, link, logger);
      forwarder = createForwarder({ config, cluster, link, logger, history: side.history, deadLetters: side.deadLetters, routerCursor: side.cursor });
      inbound = createInbound({ config, cluster, link, logger, side, statuses });
      mirror = createMirror({ config, cluster, link, logger, history: side.history });
      inbound.start();
      mirror.start();
    },
    remote: () => null,
    wake: () => forwarder?.wake(),
    settled: (message, outcome) => inbound?.settled(message, outcome),
    status: (message, status, detail) => statuses?.note(message.id, status, detail),
    async stop() {
      await forwarder?.stop();
      await inbound?.stop();
      await mirror?.stop();
      await statuses?.stop();
      await link?.close();
    },
  };
}
