// `npm run bench [area...]`: every benchmark (or those named), each against a baseline measured
// in the same run and its budget; the table goes to docs/PERFORMANCE.md, and a run that misses
// a budget exits non-zero naming it.
import { join } from 'node:path';
import { ROOT } from '../test/helpers/instance.ts';
import { benchAgents } from './agents.bench.ts';
import { benchChaos } from './chaos.bench.ts';
import { benchCluster, benchClusterScale } from './cluster.bench.ts';
import { benchDashboard } from './dashboard.bench.ts';
import { benchDashboardTeam } from './dashboard-team.bench.ts';
import { benchFootprint } from './footprint.bench.ts';
import { benchHealer } from './healer.bench.ts';
import { benchLogWatcher } from './log-watcher.bench.ts';
import { benchMailbox } from './mailbox.bench.ts';
import { benchMessages } from './messages.bench.ts';
import { benchRegistry } from './registry.bench.ts';
import { benchRouterMemory } from './router-memory.bench.ts';
import { runBenches } from './run.ts';
import { benchStatus } from './status.bench.ts';
import { benchStop } from './stop.bench.ts';
import { benchTerminal } from './terminal.bench.ts';
import { benchSustainedTyping } from './typing.bench.ts';
import { benchUsage } from './usage.bench.ts';

process.exitCode = await runBenches(
  [
    { name: 'stop', run: benchStop },
    { name: 'agents', run: benchAgents },
    { name: 'footprint', run: benchFootprint },
    { name: 'mailbox', run: benchMailbox },
    { name: 'typing', run: benchSustainedTyping('typing', 30) },
    { name: 'typing-sustained', run: benchSustainedTyping('typing-sustained', 300), onlyWhenNamed: true },
    { name: 'status', run: benchStatus },
    { name: 'terminal', run: benchTerminal },
    { name: 'messages', run: benchMessages },
    { name: 'router-memory', run: (log) => benchRouterMemory(log, 'router-memory', 1) },
    { name: 'router-memory-15', run: (log) => benchRouterMemory(log, 'router-memory-15', 15), onlyWhenNamed: true },
    { name: 'registry', run: benchRegistry },
    { name: 'log-watcher', run: benchLogWatcher },
    { name: 'healer', run: benchHealer },
    { name: 'dashboard', run: benchDashboard },
    { name: 'dashboard-team', run: benchDashboardTeam },
    { name: 'chaos', run: benchChaos },
    { name: 'usage', run: benchUsage },
    { name: 'cluster', run: benchCluster },
    { name: 'cluster-scale', run: benchClusterScale, onlyWhenNamed: true },
  ],
  process.argv.slice(2),
  join(ROOT, 'docs', 'PERFORMANCE.md'),
  (line) => process.stdout.write(`${line}\n`),
);
