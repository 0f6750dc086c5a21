import { hostOf } from '../../core/src/mailbox/index.js';
import type { MailTransport } from './index.js';

// A single host: nothing leaves it, and an address on another host cannot be reached.
export const localTransport: MailTransport = {
  self: null,
  async start() {},
  remote: (message) => `${message.to} is an agent of host ${hostOf(message.to)}, and this cmux is not in a cluster (docs/CLUSTER.md)`,
  wake() {},
  settled() {},
  status() {},
  async stop() {},
};
