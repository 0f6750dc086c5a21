import * as z from 'zod';
import { HOST_NAME, mailboxMessageSchema } from '../core/src/mailbox/index.js';

// What crosses NATS, checked on arrival like any input: a payload that is not one of these is
// dead-lettered or ignored and logged, never trusted.

export const hostNameSchema = z.string().regex(new RegExp(`^${HOST_NAME}$`));

// A mailbox line on its way to another host (its addresses qualified), with the body of an
// attachment, whose path means nothing on the receiving host.
export const wireMessageSchema = mailboxMessageSchema.extend({
  attachment: z.strictObject({ content: z.string() }).optional(),
});
export type WireMessage = z.infer<typeof wireMessageSchema>;

const deliveryStatus = z.enum(['queued', 'delivering', 'delivered', 'dead', 'withdrawn']);

// Where a message the sending host delivers stands.
export const statusEventSchema = z.strictObject({
  id: z.string().min(1).max(100),
  status: deliveryStatus,
  detail: z.string().max(10_000).nullable(),
  at: z.string().max(40),
});
export type StatusEvent = z.infer<typeof statusEventSchema>;

// A request for another host's server, and its reply.
export const rpcRequestSchema = z.strictObject({
  v: z.literal(1),
  args: z.record(z.string(), z.unknown()),
  caller: z.strictObject({ host: hostNameSchema, address: z.string().min(1).max(200) }),
});
export type RpcRequest = z.infer<typeof rpcRequestSchema>;

export const rpcReplySchema = z.union([
  z.strictObject({ ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: z.strictObject({ code: z.string().max(100), message: z.string().max(20_000) }) }),
]);
export type RpcReply = z.infer<typeof rpcReplySchema>;

const appSchema = z.object({
  name: z.string().max(100),
  status: z.string().max(100),
  pid: z.number().nullable(),
  restarts: z.number(),
  uptimeMs: z.number().nullable(),
  memory: z.number().nullable(),
  cpu: z.number().nullable(),
});

// A host's liveness beat in the registry bucket (hosts.<host>), with its apps and health.
export const hostBeatSchema = z.object({
  host: hostNameSchema,
  // Made once per CMUX_HOME: two machines beating under one name differ here.
  instance: z.string().max(100),
  startedAt: z.string().max(40),
  at: z.string().max(40),
  apps: z.array(appSchema).max(20),
  health: z.object({ status: z.string().max(40), problem: z.string().max(2_000).nullable() }),
  agents: z.number().int().min(0),
});
export type HostBeat = z.infer<typeof hostBeatSchema>;

// One agent of a host as the other hosts list it (agents.<host>.<session>.<name>): its view,
// never its environment or its program's session id.
export const remoteAgentSchema = z.object({
  id: z.string().max(200),
  name: z.string().max(100),
  role: z.string().max(100),
  session: z.string().max(100),
  window: z.string().max(200),
  windowId: z.string().max(20),
  status: z.string().max(40),
  statusSince: z.string().max(40),
  attention: z.object({ event: z.string().max(40), since: z.string().max(40) }).passthrough().nullable(),
  createdAt: z.string().max(40),
  createdBy: z.string().max(200),
  command: z.string().max(4_096),
  cwd: z.string().max(4_096),
  kind: z.string().max(100),
  project: z.string().max(100),
  worktree: z.object({ repo: z.string(), branch: z.string(), base: z.string(), path: z.string() }).optional(),
  // Its overview card's last lines (sampled: see apps/server/cluster/previews.ts).
  preview: z.string().max(8_000).optional(),
});
export type RemoteAgent = z.infer<typeof remoteAgentSchema>;
