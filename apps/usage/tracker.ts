import type { CmuxConfig } from '../core/src/config/index.js';
import type { Logger } from '../core/src/log/index.js';
import { readLedger, writeLedger, type Ledger, type UsageRow } from './ledger-file.js';
import { readUsage } from './read-logs.js';
import { usageReport, type UsageGrouping, type UsageReport } from './report.js';
import type { UsageAgent } from './sources.js';

export interface UsageTracker {
  // Reads what the agents' logs gained and reports from the ledger.
  report(by: UsageGrouping, since: Date | null): Promise<UsageReport>;
  // Reads what the agents' logs gained; one read at a time, a caller during one waits for it.
  refresh(): Promise<void>;
  // The ledger's rows as last read (no read of the logs).
  rows(): readonly UsageRow[];
}

// The server's usage ledger: loaded once, kept in memory, written back when a read changed it.
export function createUsageTracker(config: CmuxConfig, agents: () => Promise<UsageAgent[]>, logger: Logger): UsageTracker {
  let ledger: Ledger | null = null;
  let running: Promise<void> | null = null;
  const load = (): Ledger => {
    if (ledger) return ledger;
    const read = readLedger(config.home);
    if (read.problem) logger.warn(`the usage ledger could not be read, so it is rebuilt from the agents' logs: ${read.problem}`);
    ledger = read.ledger;
    return ledger;
  };
  const refresh = (): Promise<void> => {
    running ??= (async () => {
      try {
        const current = load();
        if (await readUsage(current, await agents())) writeLedger(config.home, current);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return {
    refresh,
    rows: () => load().rows,
    async report(by, since) {
      await refresh();
      return usageReport(load().rows, config.usage.prices, by, since);
    },
  };
}
