import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { requestServer } from '../../core/src/server-client/index.js';
import type { UsageLine, UsageReport } from '../../usage/report.js';
import { parseSince, SINCE_HELP } from '../../usage/since.js';
import { printJson, say } from '../output.js';

// A first read of logs hundreds of MB long takes a while.
const REPORT_TIMEOUT_MS = 120_000;

function since(value: string): string {
  if (!parseSince(value)) throw new InvalidArgumentError(SINCE_HELP);
  return value;
}

const tokens = (n: number): string => n.toLocaleString('en-US');
const dollars = (cost: number | null): string => (cost === null ? 'n/a' : `$${cost.toFixed(cost < 1 ? 4 : 2)}`);

function row(key: string, line: Omit<UsageLine, 'key'>): string {
  return `${key.padEnd(20)} ${tokens(line.input).padStart(12)} ${tokens(line.output).padStart(12)} ${tokens(line.cacheRead).padStart(14)} ${tokens(line.cacheWrite).padStart(14)} ${dollars(line.costUsd).padStart(10)}`;
}

function print(report: UsageReport): void {
  if (report.lines.length === 0) return say(`no usage recorded${report.since ? ` since ${report.since}` : ''}`);
  say(`${report.by.padEnd(20)} ${'input'.padStart(12)} ${'output'.padStart(12)} ${'cache read'.padStart(14)} ${'cache write'.padStart(14)} ${'est. cost'.padStart(10)}`);
  for (const line of report.lines) say(row(line.key, line));
  say(row('total', report.total));
  const notes = [`costs are estimates at list prices (as of ${report.pricesAsOf.join(', ') || 'no price used'}), not bills`];
  if (report.unpriced.length > 0) notes.push(`no price for ${report.unpriced.join(', ')} (set usage.prices in your config)`);
  say(notes.join('; '));
}

export const usageCommand = new Command('usage')
  .description("tokens and estimated cost per agent, project, day or model, from the agents' own session logs")
  .addOption(new Option('--by <field>', 'group by').choices(['agent', 'project', 'day', 'model']).default('agent'))
  .option('--since <when>', SINCE_HELP, since)
  .option('--json', 'print JSON')
  .action(async (opts: { by: string; since?: string; json?: boolean }) => {
    const query = new URLSearchParams({ by: opts.by, ...(opts.since ? { since: opts.since } : {}) });
    const report = await requestServer<UsageReport>(loadConfig(), 'GET', `/api/usage?${query}`, REPORT_TIMEOUT_MS);
    if (opts.json) printJson(report);
    else print(report);
  });
