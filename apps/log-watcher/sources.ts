import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CmuxConfig } from '../core/src/config/index.js';
import { homePaths } from '../core/src/paths/index.js';

// A `*`/`?` pattern for one file name, as a regular expression.
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

function expand(pattern: string): string[] {
  if (!/[*?]/.test(basename(pattern))) return existsSync(pattern) ? [pattern] : [];
  const dir = dirname(pattern);
  if (!existsSync(dir)) return [];
  const matcher = globToRegExp(basename(pattern));
  return readdirSync(dir)
    .filter((name) => matcher.test(name))
    .map((name) => join(dir, name))
    .filter((file) => statSync(file).isFile());
}

// The files one scan reads: every `*.log` of cmux's own logs folder, and the configured
// extra files and globs, as they exist now (new matches are picked up on the next scan).
export function listSources(config: CmuxConfig): string[] {
  const own = join(homePaths(config.home).logs, '*.log');
  return [...new Set([own, ...config.logWatcher.files].flatMap(expand))].sort();
}
