import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CmuxConfig } from '../core/src/config/index.js';
import { listHomeFolder, skipUnsafe, type OnSkipped } from '../core/src/fs/index.js';
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

// The `*.log` entries of cmux's own logs folder, whatever they are: reading one that is a link
// or a FIFO is refused, and the watcher says so. A logs folder that is no real folder is
// `onSkipped`, and the other sources are read.
function ownLogs(config: CmuxConfig, onSkipped: OnSkipped): string[] {
  const entries = skipUnsafe(() => listHomeFolder(config.home, homePaths(config.home).logs), [], onSkipped);
  return entries.filter((entry) => entry.name.endsWith('.log')).map((entry) => entry.path);
}

// The files one scan reads: every `*.log` of cmux's own logs folder, and the configured
// extra files and globs, as they exist now (new matches are picked up on the next scan).
export function listSources(config: CmuxConfig, onSkipped: OnSkipped): string[] {
  return [...new Set([...ownLogs(config, onSkipped), ...config.logWatcher.files.flatMap(expand)])].sort();
}
