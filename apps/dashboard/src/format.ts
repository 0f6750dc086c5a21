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

// The team in an order that holds still: the supervisor, then the workers as they were
// spawned. A status change never moves an agent; what needs the person is marked, and the
// overview lifts it into its own group.
export function teamOrder<T extends { role: string; name: string; createdAt: string }>(agents: T[]): T[] {
  return [...agents].sort(
    (a, b) => (a.role === 'supervisor' ? -1 : b.role === 'supervisor' ? 1 : 0) || a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name),
  );
}

// Whether an agent needs the person: a dialog waits, or its program is gone.
export function needsYou(agent: { status: string; attention?: { event: string } | null }): boolean {
  return ['waiting', 'exited', 'missing'].includes(agent.status) || agent.attention?.event === 'waiting' || agent.attention?.event === 'exited';
}
