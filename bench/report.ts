import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

// A goal a figure must meet, checked at the end of every run (checkBudgets): on the figure
// itself (in its unit), on its ratio to the baseline, or on how much it may exceed the
// baseline (in its unit).
export interface Budget {
  on: 'value' | 'ratio' | 'excess';
  max?: number;
  min?: number;
}

// One measured figure against a baseline measured in the same run, or alone (baseline null: a
// count, or a figure that only has a budget).
export interface BenchRow {
  area: string;
  name: string;
  // How long or how much the run measured ("median of 3", "1 min", "500 MB"), said in the table.
  length: string;
  unit: string;
  value: number;
  baseline: number | null;
  baselineName: string;
  budget?: Budget;
  note?: string;
}

// The median of a list of numbers.
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// The value below which `p` per cent of `values` fall.
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// The machine's load, said beside a timing: on a shared machine it explains a slow run.
export function machineLoad(): string {
  return `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

// The budget as the table says it: "≤ 3000 ms", "ratio ≥ 0.90", "≤ baseline + 1000 ms".
export function describeBudget(row: BenchRow): string {
  const { budget } = row;
  if (!budget) return '—';
  const bound = (n: number) => (budget.on === 'ratio' ? n.toFixed(2) : budget.on === 'excess' ? `baseline + ${fmt(n)} ${row.unit}` : `${fmt(n)} ${row.unit}`);
  const subject = budget.on === 'ratio' ? 'ratio ' : '';
  return [budget.min !== undefined ? `${subject}≥ ${bound(budget.min)}` : null, budget.max !== undefined ? `${subject}≤ ${bound(budget.max)}` : null].filter(Boolean).join(', ');
}

// What the budget bounds, or null when the row has no baseline to take it from.
function budgeted(row: BenchRow, on: Budget['on']): number | null {
  if (on === 'value') return row.value;
  if (row.baseline === null) return null;
  return on === 'ratio' ? row.value / row.baseline : row.value - row.baseline;
}

// Whether the row meets its budget (true for a row without one).
export function meetsBudget(row: BenchRow): boolean {
  if (!row.budget) return true;
  const figure = budgeted(row, row.budget.on);
  if (figure === null || !Number.isFinite(figure)) return false;
  return (row.budget.max === undefined || figure <= row.budget.max) && (row.budget.min === undefined || figure >= row.budget.min);
}

// Every row that misses its budget, each said in one line with its figure and its budget.
export function missedBudgets(rows: readonly BenchRow[]): string[] {
  return rows.filter((r) => !meetsBudget(r)).map((r) => {
    const figure = budgeted(r, r.budget!.on);
    const said = r.budget!.on === 'ratio' && figure !== null ? `ratio ${figure.toFixed(2)}` : `${fmt(r.value)} ${r.unit}${r.baseline === null ? '' : ` against ${fmt(r.baseline)} ${r.unit}`}`;
    return `${r.area}: ${r.name}: ${said} misses its budget (${describeBudget(r)})`;
  });
}

const HEADER = '| area | measurement | length | cmux | compared with | ratio | budget | run | notes |';

// Writes the table of docs/PERFORMANCE.md: each figure with the run that measured it (date
// and commit), its baseline and their ratio, its budget and whether it was met. Rows of areas
// this run did not measure are kept as they were, stamped with their own run; rows without a
// stamp are dropped.
export function writeReport(file: string, rows: readonly BenchRow[]): void {
  for (const r of rows) {
    if (!Number.isFinite(r.value) || (r.baseline !== null && !Number.isFinite(r.baseline))) throw new Error(`${r.area}: ${r.name}: not a number (${r.value} against ${r.baseline})`);
  }
  const measured = new Set(rows.map((r) => r.area));
  const kept = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^\| [a-z0-9-]+ \|/.test(line) && !line.startsWith('| area |') && stamped(line) && !measured.has(line.split('|')[1]!.trim()))
    : [];
  const run = `${new Date().toISOString().slice(0, 10)} ${commit()}`;
  const compared = (r: BenchRow) => (r.baseline === null ? `— (${r.baselineName})` : `${fmt(r.baseline)} ${r.unit} (${r.baselineName})`);
  const ratio = (r: BenchRow) => (r.baseline === null ? '—' : (r.value / r.baseline).toFixed(2));
  const budget = (r: BenchRow) => (r.budget ? `${describeBudget(r)}: ${meetsBudget(r) ? 'met' : '**missed**'}` : '—');
  const lines = [
    '# Performance',
    '',
    `Written by \`npm run bench\` (node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB). Each row names the run that measured it`,
    '(date and commit); a run of some areas (`npm run bench -- mailbox`) keeps the other rows with their own runs.',
    'A baseline is measured in the same run as its figure; a budget is a fixed goal, and a run that misses one exits non-zero naming it.',
    'The ratio is cmux / baseline (below 1: cmux is faster or smaller). `router-memory-15`, `typing-sustained` and `cluster-scale` run only when named (`npm run bench -- router-memory-15`).',
    '',
    HEADER,
    '|---|---|---|---|---|---|---|---|---|',
    ...kept,
    ...rows.map((r) => `| ${r.area} | ${r.name} | ${r.length} | ${fmt(r.value)} ${r.unit} | ${compared(r)} | ${ratio(r)} | ${budget(r)} | ${run} | ${r.note ?? ''} |`),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
}

// Whether a row of the table names the run that measured it (its date and commit).
function stamped(line: string): boolean {
  const cells = line.split('|');
  return cells.length === 11 && /^ \d{4}-\d{2}-\d{2} [0-9a-f]{7,}\+? $/.test(cells[8]!);
}

// The commit the benchmarked code is at (with + when the tree has changes).
function commit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: import.meta.dirname, encoding: 'utf8', timeout: 10_000 }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? '+' : ''}`;
  } catch {
    return 'unknown commit';
  }
}
