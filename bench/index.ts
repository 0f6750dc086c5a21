// `npm run bench [area...]`: every benchmark (or those named), each against a baseline measured
// in the same run or a budget; the table goes to docs/PERFORMANCE.md.
import { join } from 'node:path';
import { ROOT } from '../test/helpers/instance.ts';
import { writeReport, type BenchRow } from './report.ts';
import { benchAgents } from './agents.bench.ts';
import { benchChaos } from './chaos.bench.ts';
import { benchDashboard } from './dashboard.bench.ts';
import { benchFootprint } from './footprint.bench.ts';
import { benchHealer } from './healer.bench.ts';
import { benchLogWatcher } from './log-watcher.bench.ts';
import { benchMailbox } from './mailbox.bench.ts';
import { benchMessages } from './messages.bench.ts';
import { benchRegistry } from './registry.bench.ts';
import { benchRouterMemory } from './router-memory.bench.ts';
import { benchStop } from './stop.bench.ts';
import { benchUsage } from './usage.bench.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const only = process.argv.slice(2);
const benches: Array<[string, (log: (line: string) => void) => Promise<BenchRow[]>]> = [
  ['stop', benchStop],
  ['agents', benchAgents],
  ['footprint', benchFootprint],
  ['mailbox', benchMailbox],
  ['messages', benchMessages],
  ['router-memory', benchRouterMemory],
  ['registry', benchRegistry],
  ['log-watcher', benchLogWatcher],
  ['healer', benchHealer],
  ['dashboard', benchDashboard],
  ['chaos', benchChaos],
  ['usage', benchUsage],
];
const rows: BenchRow[] = [];
const failed: string[] = [];
// An area that fails is reported and the run goes on: the areas measured still reach the table,
// and a failed area keeps its earlier rows (each stamped with the run that measured it).
for (const [name, bench] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  try {
    rows.push(...(await bench(log)));
  } catch (error) {
    failed.push(name);
    log(`${name}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
writeReport(join(ROOT, 'docs', 'PERFORMANCE.md'), rows);
log(`wrote docs/PERFORMANCE.md (${rows.length} rows)${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}`);
if (failed.length > 0) process.exitCode = 1;
