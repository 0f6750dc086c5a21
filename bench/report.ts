import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

// One measured figure against the baseline measured in the same run.
export interface BenchRow {
  area: string;
  name: string;
  unit: string;
  value: number;
  baseline: number;
  baselineName: string;
  note?: string;
}

// The median of a list of numbers.
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// Writes the table of docs/PERFORMANCE.md: each figure, its baseline and their ratio. Rows of
// areas this run did not measure are kept from the file as they were.
export function writeReport(file: string, rows: readonly BenchRow[]): void {
  const measured = new Set(rows.map((r) => r.area));
  const kept = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^\| [a-z-]+ \|/.test(line) && !line.startsWith('| area |') && !measured.has(line.split('|')[1]!.trim()))
    : [];
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
  const lines = [
    '# Performance',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB).`,
    'Every figure is measured in the same run as its baseline; the ratio is cmux / baseline (below 1: cmux is faster or smaller).',
    '',
    '| area | measurement | cmux | baseline | ratio | notes |',
    '|---|---|---|---|---|---|',
    ...kept,
    ...rows.map(
      (r) =>
        `| ${r.area} | ${r.name} | ${fmt(r.value)} ${r.unit} | ${fmt(r.baseline)} ${r.unit} (${r.baselineName}) | ${(r.value / r.baseline).toFixed(2)} | ${r.note ?? ''} |`,
    ),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
}
