import * as z from 'zod';

const NAME = '[A-Za-z0-9][A-Za-z0-9_-]{0,47}';
// A host of a cluster (docs/CLUSTER.md): a subject and key token, so lowercase.
export const HOST_NAME = '[a-z0-9][a-z0-9-]{0,31}';
// CONTRACT §4 addresses: user, <agent>, <session>:<agent>, system:<daemon>, webhook:<source>;
// in a cluster any of them but the user may name its host: w1@b, proj:w1@b.
export const ADDRESS = new RegExp(`^(user|(?!user@)${NAME}(:${NAME})?(@${HOST_NAME})?)$`);

// Bodies up to this size travel inline; larger ones go to a journal attachment.
export const MAX_INLINE_BODY_BYTES = 1024 * 1024;
export const MAX_SUBJECT_CHARS = 2_000;
// A mailbox line longer than this cannot be a message cmux wrote.
export const MAX_LINE_BYTES = 2 * MAX_INLINE_BODY_BYTES + 64 * 1024;

export const addressSchema = z.string().regex(ADDRESS, 'an address: user, <agent>, <session>:<agent>, system:<name> or webhook:<name>, each optionally @<host>');

// One mailbox line (CONTRACT §4). `bodyFile` replaces `body` when the body was too large to inline.
export const mailboxMessageSchema = z.strictObject({
  id: z.string().min(1).max(100),
  // CONTRACT §4: any ISO-8601 offset (`Z`, `+00:00`) and fractional precision, stored as UTC.
  ts: z.iso.datetime({ offset: true }).transform((ts) => new Date(ts).toISOString()),
  from: addressSchema,
  to: addressSchema,
  subject: z.string().max(MAX_SUBJECT_CHARS),
  body: z.string().optional(),
  bodyFile: z.string().optional(),
  // Set on an agent's answer to a message (its id): kept in the recipient's mailbox, never typed
  // into an agent, so two agents cannot answer each other in a loop.
  replyTo: z.string().min(1).max(100).optional(),
});
export type MailboxMessage = z.infer<typeof mailboxMessageSchema>;

// What a producer hands to appendMessage.
export const newMessageSchema = z.strictObject({
  from: addressSchema,
  to: addressSchema,
  subject: z.string().min(1, 'subject is empty').max(MAX_SUBJECT_CHARS),
  body: z.string().optional(),
  replyTo: z.string().min(1).max(100).optional(),
});
export type NewMessage = z.infer<typeof newMessageSchema>;

// The agent part of an address (`session:agent@host` → agent, its session and host), or null
// for user/system/webhook. `host` is null for an address of this host's own.
export function agentOf(address: string): { session: string | null; name: string; host: string | null } | null {
  if (address === 'user') return null;
  const at = address.indexOf('@');
  const host = at === -1 ? null : address.slice(at + 1);
  const local = at === -1 ? address : address.slice(0, at);
  const colon = local.indexOf(':');
  if (colon === -1) return { session: null, name: local, host };
  const prefix = local.slice(0, colon);
  if (prefix === 'system' || prefix === 'webhook') return null;
  return { session: prefix, name: local.slice(colon + 1), host };
}

// A message's subject for a free text: its first line, cut to a readable length.
export function summarise(text: string): string {
  const first = text.trim().split('\n')[0]!.trim();
  return (first.length > 120 ? `${first.slice(0, 117)}…` : first) || '(empty)';
}
