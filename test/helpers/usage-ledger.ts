import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UsageRow } from '../../apps/usage/index.ts';

// Plants a usage ledger (state/usage.json, as cmux-server keeps it) in a home before cmux
// starts: the server loads it once, so the agents show this usage without a program's logs.
// Each row is counted in the current UTC hour, `daysAgo` days back.
export function plantUsageLedger(home: string, rows: ReadonlyArray<Pick<UsageRow, 'agent' | 'model' | 'input' | 'output'> & Partial<UsageRow> & { daysAgo?: number }>): void {
  const hour = new Date();
  hour.setUTCMinutes(0, 0, 0);
  const ledger = rows.map(({ daysAgo = 0, ...row }) => ({
    project: null,
    kind: 'claude-code',
    calls: 1,
    cacheRead: 0,
    cacheWrite: 0,
    ...row,
    hour: new Date(hour.getTime() - daysAgo * 86_400_000).toISOString(),
  }));
  mkdirSync(join(home, 'state'), { recursive: true });
  writeFileSync(join(home, 'state', 'usage.json'), JSON.stringify({ version: 1, agents: {}, logs: {}, rows: ledger }));
}
