import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

// One measured figure against a baseline measured in the same run, or against a budget (a
// fixed goal), or alone (baseline null: a count with nothing to compare it with).
export interface BenchRow {
  area: string;
  name: string;
  unit: string;
  value: number;
  baseline: number | null;
  baselineName: string;
  budget?: boolean;
  note?: string;
}

// The median of a list of numbers.
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// Writes the table of docs/PERFORMANCE.md: each figure with the run that measured it (date
// and commit), its baseline or budget and their ratio. Rows of areas this run did not measure
// are kept as they were, stamped with their own run; rows without a stamp are dropped.
export function writeReport(file: string, rows: readonly BenchRow[]): void {
  for (const r of rows) {
    if (!Number.isFinite(r.value) || (r.baseline !== null && !Number.isFinite(r.baseline))) throw new Error(`${r.area}: ${r.name}: not a number (${r.value} against ${r.baseline})`);
  }
  const measured = new Set(rows.map((r) => r.area));
  const kept = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^\| [a-z-]+ \|/.test(line) && !line.startsWith('| area |') && stamped(line) && !measured.has(line.split('|')[1]!.trim()))
    : [];
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
  const run = `${new Date().toISOString().slice(0, 10)} ${commit()}`;
  const compared = (r: BenchRow) => (r.baseline === null ? `— (${r.baselineName})` : `${fmt(r.baseline)} ${r.unit} (${r.budget ? 'budget: ' : ''}${r.baselineName})`);
  const ratio = (r: BenchRow) => (r.baseline === null ? '—' : `${(r.value / r.baseline).toFixed(2)}${r.budget ? ' of budget' : ''}`);
  const lines = [
    '# Performance',
    '',
    `Written by \`npm run bench\` (node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB). Each row names the run that measured it`,
    '(date and commit); a run of some areas (`npm run bench -- mailbox`) keeps the other rows with their own runs.',
    'A baseline is measured in the same run as its figure; a budget is a fixed goal. The ratio is cmux / baseline (below 1: cmux is faster or smaller).',
    '',
    '| area | measurement | cmux | compared with | ratio | run | notes |',
    '|---|---|---|---|---|---|---|',
    ...kept,
    ...rows.map((r) => `| ${r.area} | ${r.name} | ${fmt(r.value)} ${r.unit} | ${compared(r)} | ${ratio(r)} | ${run} | ${r.note ?? ''} |`),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
}

// Whether a row of the table names the run that measured it (its date and commit).
function stamped(line: string): boolean {
  const cells = line.split('|');
  return cells.length === 9 && /^ \d{4}-\d{2}-\d{2} [0-9a-f]{7,}\+? $/.test(cells[6]!);
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
