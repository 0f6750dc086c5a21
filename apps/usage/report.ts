import type { Price } from '../core/src/config/index.js';
import type { UsageRow } from './ledger-file.js';
import type { TokenCounts } from './records.js';

export type UsageGrouping = 'agent' | 'project' | 'day' | 'model';

export interface UsageLine extends TokenCounts {
  // The agent, project, day (YYYY-MM-DD, UTC) or model; the default project is `default`.
  key: string;
  calls: number;
  // Estimated from the price table; null when a model in it has no price.
  costUsd: number | null;
}

export interface UsageReport {
  since: string | null;
  by: UsageGrouping;
  lines: UsageLine[];
  total: Omit<UsageLine, 'key'>;
  // The models with no price in the table (their tokens count, their cost is unknown).
  unpriced: string[];
  // The dates of the prices used: estimates at list price, not bills.
  pricesAsOf: string[];
}

// The price of `model`: the entry with the longest prefix of its name.
export function priceOf(prices: readonly Price[], model: string): Price | null {
  let best: Price | null = null;
  for (const price of prices) if (model.startsWith(price.model) && (!best || price.model.length > best.model.length)) best = price;
  return best;
}

export function costOf(price: Price, counts: TokenCounts): number {
  return (counts.input * price.input + counts.output * price.output + counts.cacheRead * price.cacheRead + counts.cacheWrite * price.cacheWrite) / 1_000_000;
}

const keyOf = (row: UsageRow, by: UsageGrouping): string =>
  by === 'agent' ? row.agent : by === 'project' ? (row.project ?? 'default') : by === 'day' ? row.hour.slice(0, 10) : row.model;

const empty = (): Omit<UsageLine, 'key'> => ({ calls: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, costUsd: 0 });

function addInto(into: Omit<UsageLine, 'key'>, row: UsageRow, cost: number | null): void {
  into.calls += row.calls;
  into.input += row.input;
  into.output += row.output;
  into.cacheRead += row.cacheRead;
  into.cacheWrite += row.cacheWrite;
  into.costUsd = into.costUsd === null || cost === null ? null : into.costUsd + cost;
}

// The ledger's rows from `since` on (an hour's calls count when the hour starts at or after
// it), grouped `by` one field, with cost estimates.
export function usageReport(rows: readonly UsageRow[], prices: readonly Price[], by: UsageGrouping, since: Date | null): UsageReport {
  const groups = new Map<string, Omit<UsageLine, 'key'>>();
  const total = empty();
  const unpriced = new Set<string>();
  const dates = new Set<string>();
  const from = since ? new Date(since) : null;
  from?.setUTCMinutes(0, 0, 0);
  for (const row of rows) {
    if (from && Date.parse(row.hour) < from.getTime()) continue;
    if (row.calls === 0 && row.input + row.output + row.cacheRead + row.cacheWrite === 0) continue;
    const price = priceOf(prices, row.model);
    if (price) dates.add(price.asOf);
    else unpriced.add(row.model);
    const cost = price ? costOf(price, row) : null;
    const key = keyOf(row, by);
    const group = groups.get(key) ?? empty();
    groups.set(key, group);
    addInto(group, row, cost);
    addInto(total, row, cost);
  }
  const lines = [...groups].map(([key, line]) => ({ key, ...line })).sort((a, b) => (by === 'day' ? a.key.localeCompare(b.key) : b.input + b.output - (a.input + a.output) || a.key.localeCompare(b.key)));
  return { since: since?.toISOString() ?? null, by, lines, total, unpriced: [...unpriced].sort(), pricesAsOf: [...dates].sort() };
}
