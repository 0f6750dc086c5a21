import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { budgetAmount, BUDGET_NAME } from '../../core/src/config/schema.js';
import { requestServer } from '../../core/src/server-client/index.js';
import type { BudgetState } from '../../usage/budgets.js';
import { printJson, say } from '../output.js';

function budgetName(value: string): string {
  if (!BUDGET_NAME.test(value)) throw new InvalidArgumentError('a project name (1-37 letters, digits, _ or -, see `cmux project list`) or all');
  return value;
}

// Dollars a day, written plainly (25, 12.50), or `none` to take the budget away.
function amount(value: string): number | null {
  if (value === 'none') return null;
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(value)) throw new InvalidArgumentError('an amount in dollars a day, e.g. 25 or 12.50, or none');
  const parsed = budgetAmount.safeParse(Number(value));
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]!.message);
  return parsed.data;
}

// Setting one may raise an alert (a journal file, a mailbox line) before it answers.
const REQUEST_TIMEOUT_MS = 15_000;

const money = (usd: number): string => `$${usd.toFixed(2)}`;

function print(state: BudgetState): void {
  if (state.lines.length === 0) say('no budgets: set one with `cmux budget set <project|all> <dollars a day>`');
  else {
    say(`${'budget'.padEnd(20)} ${'per day'.padStart(12)} ${'spent today'.padStart(12)} ${'%'.padStart(5)}`);
    for (const line of state.lines) {
      say(`${line.name.padEnd(20)} ${money(line.usdPerDay).padStart(12)} ${money(line.spentUsd).padStart(12)} ${String(line.percent).padStart(5)}${line.reached ? '  reached: messages to its agents are held' : ''}`);
    }
  }
  const notes = [`today is ${state.day} (UTC), until ${state.resetsAt}; spend is estimated at list prices, not billed`];
  if (state.unpriced.length > 0) notes.push(`no price for ${state.unpriced.join(', ')}: not counted (set usage.prices in your config)`);
  say(notes.join('; '));
}

const set = new Command('set')
  .description('set the daily budget of a project (or all): messages to its agents are held once it is spent, until the next UTC day or until it is raised')
  .argument('<name>', 'a project name, or all for the whole team', budgetName)
  .argument('<amount>', 'dollars a day (the currency of usage.prices), or none to take it away', amount)
  .option('--json', 'print JSON')
  .action(async (name: string, usdPerDay: number | null, _opts: unknown, command: Command) => {
    // `--json` after the arguments reaches `budget`'s own option (the program parses options
    // anywhere): either is this one.
    const opts = command.optsWithGlobals<{ json?: boolean }>();
    const state = await requestServer<BudgetState>(loadConfig(), 'PUT', `/api/budgets/${name}`, REQUEST_TIMEOUT_MS, { usdPerDay });
    if (opts.json) return printJson(state);
    say(usdPerDay === null ? `budget ${name} taken away` : `budget ${name} set to ${money(usdPerDay)} a day`);
    print(state);
  });

export const budgetCommand = new Command('budget')
  .description("the daily budgets with today's estimated spend against each; `budget set` changes one")
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const state = await requestServer<BudgetState>(loadConfig(), 'GET', '/api/budgets', REQUEST_TIMEOUT_MS);
    if (opts.json) printJson(state);
    else print(state);
  })
  .addCommand(set.exitOverride());
