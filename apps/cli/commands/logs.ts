import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { followLogs, tailLogs } from '../ops/logs.js';
import { printJson, say } from '../output.js';

function parseCount(value: string): number {
  if (!/^\d{1,6}$/.test(value)) throw new InvalidArgumentError('expected a whole number of lines');
  return Number(value);
}

export const logsCommand = new Command('logs')
  .description('show the last lines of the apps\' logs (all four, or one app)')
  .argument('[app]', 'cmux-server, cmux-router, cmux-log-watcher or cmux-frontend-healer')
  .option('-n, --lines <count>', 'lines per file', parseCount, 40)
  .option('-f, --follow', 'keep printing new lines')
  .option('--json', 'print JSON')
  .action(async (app: string | undefined, opts: { lines: number; follow?: boolean; json?: boolean }) => {
    const config = loadConfig();
    if (opts.follow) return followLogs(config, app, opts.lines);
    const tails = tailLogs(config, app, opts.lines);
    if (opts.json) return printJson(tails);
    if (tails.length === 0) say('no logs yet');
    for (const { file, lines } of tails) say([`==> ${file} <==`, ...lines, ''].join('\n'));
  });
