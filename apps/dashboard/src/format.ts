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

// Who needs a person first: a dialog waiting for an answer, then dead or lost agents.
const ATTENTION: Record<string, number> = { waiting: 0, exited: 1, missing: 2, unknown: 3, starting: 4, busy: 5, idle: 6 };
export function byAttention<T extends { status: string; role: string; name: string }>(agents: T[]): T[] {
  return [...agents].sort(
    (a, b) => (ATTENTION[a.status] ?? 9) - (ATTENTION[b.status] ?? 9) || (a.role === 'supervisor' ? -1 : b.role === 'supervisor' ? 1 : 0) || a.name.localeCompare(b.name),
  );
}
