import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './instance.ts';

// A copy of the repository's dashboard and config (with the agent kinds' rules, which cmux reads
// from its root) in a temp folder (node_modules linked), so a test may break and fix the
// dashboard's sources without touching the real ones.
export function dashboardCopy(): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'cx-root-'));
  cpSync(join(ROOT, 'config'), join(root, 'config'), { recursive: true });
  cpSync(join(ROOT, 'apps', 'agents', 'kinds'), join(root, 'apps', 'agents', 'kinds'), { recursive: true, filter: (from) => !from.endsWith('.ts') });
  mkdirSync(join(root, 'apps', 'dashboard'), { recursive: true });
  for (const part of ['src', 'public', 'index.html', 'vite.config.ts']) cpSync(join(ROOT, 'apps', 'dashboard', part), join(root, 'apps', 'dashboard', part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
