import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/instance.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|tsx|mjs|js)$/.test(name) ? [path] : [];
  });
}

describe('module boundaries', () => {
  it('only core/tmux runs tmux', () => {
    const offenders = sources(join(ROOT, 'apps'))
      .filter((file) => !relative(ROOT, file).startsWith('apps/core/src/tmux/'))
      .filter((file) => /\b(execa|spawn|execFile|exec|execSync|spawnSync)\s*\(\s*['"`]tmux['"`]/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
  });

  it('nothing builds a shell command string', () => {
    const offenders = sources(join(ROOT, 'apps')).filter((file) => /\bshell\s*:\s*true\b|\bexecSync\s*\(|\bexec\s*\(\s*`/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
  });

  it('reads CMUX_* environment variables only in the config loader', () => {
    const offenders = sources(join(ROOT, 'apps'))
      .filter((file) => !relative(ROOT, file).startsWith('apps/core/src/config/'))
      .filter((file) => /process\.env\.CMUX_(?!DEBUG)/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
  });
});
