import type { Price } from '../core/src/config/index.js';
import type { UsageRow } from './ledger-file.js';
import { costOf, priceOf } from './report.js';

// Daily budgets: what the team may spend a day, per project and for all of it, in the price
// table's currency, against the same estimates `cmux usage` shows. A day is a UTC day, as
// `cmux usage --since today` counts it: the ledger keeps tokens per UTC hour, so a local
// midnight off the hour (India, +5:30) could not be drawn between rows.

// The whole team's budget; every other name is a project's (`default`: agents in no project).
export const ALL_BUDGET = 'all';
export const DEFAULT_PROJECT_BUDGET = 'default';
export const WARN_PERCENT = 80;

export interface BudgetLine {
  name: string;
  usdPerDay: number;
  spentUsd: number;
  // Of the budget spent today, rounded down to a whole percent (99.9 % is not yet 100).
  percent: number;
  reached: boolean;
}

export interface BudgetState {
  // Today (YYYY-MM-DD, UTC) and when it ends, which lifts every hold.
  day: string;
  resetsAt: string;
  lines: BudgetLine[];
  // Spent today per project (every project with usage, budget or not).
  spentByProject: Record<string, number>;
  // Models used today with no price: their tokens are not in any spend.
  unpriced: string[];
}

export interface BudgetAlert {
  // What makes it once per budget per day: the day, the name, the amount and the level.
  key: string;
  name: string;
  level: typeof WARN_PERCENT | 100;
  title: string;
  excerpt: string;
  details: string;
}

export function budgetDay(now: Date): { day: string; resetsAt: string } {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  return { day: now.toISOString().slice(0, 10), resetsAt: next.toISOString() };
}

const money = (usd: number): string => `$${usd.toFixed(2)}`;

// Where the team stands against `budgets` on the day of `now`.
export function budgetState(rows: readonly UsageRow[], prices: readonly Price[], budgets: Readonly<Record<string, number>>, now: Date): BudgetState {
  const { day, resetsAt } = budgetDay(now);
  const spentByProject: Record<string, number> = {};
  const unpriced = new Set<string>();
  let all = 0;
  for (const row of rows) {
    if (!row.hour.startsWith(day)) continue;
    const price = priceOf(prices, row.model);
    if (!price) {
      if (row.input + row.output + row.cacheRead + row.cacheWrite > 0) unpriced.add(row.model);
      continue;
    }
    const cost = costOf(price, row);
    const project = row.project ?? DEFAULT_PROJECT_BUDGET;
    spentByProject[project] = (spentByProject[project] ?? 0) + cost;
    all += cost;
  }
  const lines = Object.entries(budgets)
    .map(([name, usdPerDay]) => {
      const spentUsd = name === ALL_BUDGET ? all : (spentByProject[name] ?? 0);
      return { name, usdPerDay, spentUsd, percent: Math.floor((spentUsd / usdPerDay) * 100), reached: spentUsd >= usdPerDay };
    })
    .sort((a, b) => (a.name === ALL_BUDGET ? -1 : b.name === ALL_BUDGET ? 1 : a.name.localeCompare(b.name)));
  return { day, resetsAt, lines, spentByProject, unpriced: [...unpriced].sort() };
}

// Why a message to an agent of `project` waits, or null when no budget it falls under is spent.
export function budgetHold(state: BudgetState, project: string | null): string | null {
  const own = project ?? DEFAULT_PROJECT_BUDGET;
  const line = state.lines.find((l) => l.reached && l.name === own) ?? state.lines.find((l) => l.reached && l.name === ALL_BUDGET);
  if (!line) return null;
  return `budget ${line.name} reached: ${money(line.spentUsd)} of ${money(line.usdPerDay)} spent today (UTC, estimated); held until ${state.resetsAt} or until it is raised (cmux budget set ${line.name} <amount>)`;
}

// The alerts due on `state` that were not raised yet (`sent` holds the keys raised): one at
// 80 % and one at 100 % per budget, amount and day; a budget met at once past 100 % raises the
// 100 % alert alone (its key for 80 % is returned too, so it is never raised later that day).
export function dueBudgetAlerts(state: BudgetState, sent: ReadonlySet<string>): { alerts: BudgetAlert[]; keys: string[] } {
  const alerts: BudgetAlert[] = [];
  const keys: string[] = [];
  for (const line of state.lines) {
    const keyOf = (level: number) => `${state.day}:${line.name}:${line.usdPerDay}:${level}`;
    const level = line.reached ? 100 : line.percent >= WARN_PERCENT ? WARN_PERCENT : null;
    if (level === null || sent.has(keyOf(level))) continue;
    keys.push(keyOf(level));
    if (level === 100) keys.push(keyOf(WARN_PERCENT));
    const spent = `${money(line.spentUsd)} of ${money(line.usdPerDay)} (${line.percent} %)`;
    const what = line.name === ALL_BUDGET ? 'the whole team' : `project ${line.name}`;
    const title = level === 100 ? `budget ${line.name} reached: ${spent} today; messages to its agents are held` : `budget ${line.name} at ${line.percent} %: ${spent} today`;
    const held =
      level === 100
        ? `New messages to the agents of ${what} wait (nothing is lost) until ${state.resetsAt} (the next UTC day) or until the budget is raised: \`cmux budget set ${line.name} <amount>\`.`
        : `At 100 % new messages to the agents of ${what} are held until the next UTC day or until the budget is raised.`;
    alerts.push({
      key: keyOf(level),
      name: line.name,
      level,
      title,
      excerpt: `${what}: ${spent} of its daily budget spent on ${state.day} (UTC)`,
      details: `# Budget ${line.name}: ${level} %\n\n${what[0]!.toUpperCase()}${what.slice(1)} spent an estimated ${spent} on ${state.day} (UTC), at the list prices of usage.prices (estimates, not bills).\n\n${held}\n\n\`cmux budget\` lists the budgets with today's spend; \`cmux usage --by project --since today\` shows where it went.\n`,
    });
  }
  return { alerts, keys };
}
