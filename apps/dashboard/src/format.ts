// Small display helpers.
export function since(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

export function bytes(n: number | null): string {
  return n === null ? '–' : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// The team in an order that holds still: the supervisors (one per project), then the workers,
// each group as spawned, whatever order the list arrived in. A status change never moves an
// agent; what needs the person is marked, and the overview lifts it into its own group.
export function teamOrder<T extends { role: string; name: string; createdAt: string }>(agents: T[]): T[] {
  const rank = (a: T) => (a.role === 'supervisor' ? 0 : 1);
  return [...agents].sort((a, b) => rank(a) - rank(b) || a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
}

// Whether an agent needs the person: a dialog waits, or its program is gone.
export function needsYou(agent: { status: string; attention?: { event: string } | null }): boolean {
  return ['waiting', 'exited', 'missing'].includes(agent.status) || agent.attention?.event === 'waiting' || agent.attention?.event === 'exited';
}

// Whether a message was addressed to the agent (by its id or as `<session>:<id>`).
export function isTo(message: { to: string }, agentId: string): boolean {
  return message.to === agentId || message.to.endsWith(`:${agentId}`);
}

// The board's task an agent works on: the one `working`, else the first `assigned` to it (the
// next it gets: assignments are delivered in turn).
export function boardTaskOf<T extends { id: number; status: string; assignee: string | null }>(tasks: readonly T[], agentId: string): T | undefined {
  const mine = tasks.filter((t) => t.assignee === agentId);
  return mine.find((t) => t.status === 'working') ?? mine.filter((t) => t.status === 'assigned').sort((a, b) => a.id - b.id)[0];
}

// The task an agent was spawned with: the first message sent to it once it existed (`messages`
// oldest first), not a reply.
export function spawnTaskOf<M extends { to: string; replyTo?: string | undefined }>(messages: readonly M[], agentId: string): M | undefined {
  return messages.find((m) => isTo(m, agentId) && !m.replyTo);
}

// How the page names an agent: its name, with its host when it runs on another one (w1@b), so
// two hosts' w1 are told apart in every label.
export function who(agent: { id: string; name: string; host?: string | undefined }): string {
  return agent.host && agent.id.endsWith(`@${agent.host}`) ? `${agent.name}@${agent.host}` : agent.name;
}

// The host an agent runs on: its own, or (this host's agent, as a frame may leave it out) this one.
export function hostOf(agent: { host?: string | undefined }, self: string | null): string | null {
  return agent.host ?? self;
}
