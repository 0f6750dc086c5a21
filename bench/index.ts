// `npm run bench`: every benchmark, each against a baseline measured in the same run; the
// table goes to docs/PERFORMANCE.md.
import { join } from 'node:path';
import { ROOT } from '../test/helpers/instance.ts';
import { writeReport, type BenchRow } from './report.ts';
import { benchStop } from './stop.bench.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const rows: BenchRow[] = [...(await benchStop(log))];
writeReport(join(ROOT, 'docs', 'PERFORMANCE.md'), rows);
log(`wrote docs/PERFORMANCE.md (${rows.length} rows)`);
