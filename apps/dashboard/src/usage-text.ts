// How the dashboard writes tokens and estimated costs: short, and never a cost that looks
// known when a model had no price.
export function costText(costUsd: number | null): string {
  if (costUsd === null) return 'n/a';
  if (costUsd === 0) return '$0';
  return costUsd < 0.01 ? '<$0.01' : `$${costUsd.toFixed(2)}`;
}

export function tokenText(count: number): string {
  if (count < 1_000) return String(count);
  if (count < 1_000_000) return `${(count / 1_000).toFixed(count < 10_000 ? 1 : 0)}k`;
  return `${(count / 1_000_000).toFixed(count < 10_000_000 ? 1 : 0)}M`;
}
