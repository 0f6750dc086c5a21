import { missedBudgets, writeReport, type BenchRow } from './report.ts';

export type Log = (line: string) => void;

// One area of the bench: its name, what it measures, and whether it runs only when named
// (a long run such as the router over 15 minutes).
export interface BenchArea {
  name: string;
  run: (log: Log) => Promise<BenchRow[]>;
  onlyWhenNamed?: boolean;
}

// Runs the areas named in `only` (every area not marked onlyWhenNamed when none is named),
// writes their rows to the table in `file`, and returns the exit code: 1 when an area failed
// or a row missed its budget, each named in the log.
export async function runBenches(areas: readonly BenchArea[], only: readonly string[], file: string, log: Log): Promise<number> {
  const unknown = only.filter((name) => !areas.some((a) => a.name === name));
  if (unknown.length > 0) {
    log(`no bench area ${unknown.join(', ')}; the areas are ${areas.map((a) => a.name).join(', ')}`);
    return 2;
  }
  const rows: BenchRow[] = [];
  const failed: string[] = [];
  // An area that fails is reported and the run goes on: the areas measured still reach the table,
  // and a failed area keeps its earlier rows (each stamped with the run that measured it).
  for (const area of areas) {
    if (only.length > 0 ? !only.includes(area.name) : area.onlyWhenNamed) continue;
    try {
      rows.push(...(await area.run(log)));
    } catch (error) {
      failed.push(area.name);
      log(`${area.name}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  writeReport(file, rows);
  const missed = missedBudgets(rows);
  for (const line of missed) log(`budget missed: ${line}`);
  log(`wrote ${file} (${rows.length} rows)${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}${missed.length > 0 ? `; ${missed.length} budget(s) missed` : ''}`);
  return failed.length > 0 || missed.length > 0 ? 1 : 0;
}
