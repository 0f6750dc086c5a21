import type { MailboxMessage } from './schema.js';

// Addresses across the hosts of a cluster (docs/CLUSTER.md): on the wire every address but the
// user's names its host (`w1@b`); each host stores and shows its own agents without one, as a
// single host always did, and other hosts' agents with theirs.

// The host an address names, or null for one of this host's own (and for the user, who is
// one person across the team).
export function hostOf(address: string): string | null {
  const at = address.indexOf('@');
  return at === -1 ? null : address.slice(at + 1);
}

// The address without its host.
export function withoutHost(address: string): string {
  const at = address.indexOf('@');
  return at === -1 ? address : address.slice(0, at);
}

// The address as host `self` keeps it: its own host's name dropped.
export function localise(address: string, self: string): string {
  return hostOf(address) === self ? withoutHost(address) : address;
}

// The address as the wire carries it: a host-less address (but the user's) gets `host`.
export function qualify(address: string, host: string): string {
  return address === 'user' || hostOf(address) !== null ? address : `${address}@${host}`;
}

export function localiseMessage(message: MailboxMessage, self: string): MailboxMessage {
  return { ...message, from: localise(message.from, self), to: localise(message.to, self) };
}

export function qualifyMessage(message: MailboxMessage, host: string): MailboxMessage {
  return { ...message, from: qualify(message.from, host), to: qualify(message.to, host) };
}
