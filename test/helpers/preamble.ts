import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './instance.ts';

// The first message a worker gets before its task (config/roles/worker.md, filled in), so a
// test can say exactly what the agent's program must receive.
export function workerPreamble(name: string, cwd: string): string {
  return readFileSync(join(ROOT, 'config', 'roles', 'worker.md'), 'utf8')
    .replace('{{name}}', name)
    .replace('{{supervisor}}', 'supervisor')
    .replace('{{cwd}}', cwd)
    .trim();
}
