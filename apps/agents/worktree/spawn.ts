import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { homePaths } from '../../core/src/paths/index.js';
import { readRegistry, type WorktreeEntry } from '../../registry/index.js';
import { createWorktree, type CreatedWorktree } from './create.js';
import { git } from './git.js';
import { removeWorktree } from './remove.js';

export interface WorktreeOptions {
  worktree?: boolean | undefined;
  branch?: string | undefined;
  base?: string | undefined;
}

// Whether a spawn gets a worktree: as asked, else the configured default for workers.
export function wantsWorktree(config: CmuxConfig, role: string, options: WorktreeOptions): boolean {
  if (options.worktree === undefined && (options.branch !== undefined || options.base !== undefined)) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', 'branch and base go with a worktree: add --worktree ("worktree": true)', { context: { field: 'worktree' } });
  }
  return options.worktree ?? (role === 'worker' && config.worktrees.default);
}

// The worktree of a new agent, added before its window so the agent starts in it. A name
// already registered is refused here, before git is touched.
export async function worktreeForSpawn(config: CmuxConfig, name: string, id: string, cwd: string, options: WorktreeOptions): Promise<CreatedWorktree> {
  if ((await readRegistry(homePaths(config.home).registry))?.agents[id]) {
    throw new CmuxError('CMUX_ERR_AGENT_EXISTS', `an agent named ${name} already exists: kill it first or choose another name`, { context: { id } });
  }
  return createWorktree({ name, cwd, branch: options.branch, base: options.base, dir: config.worktrees.dir, branchPrefix: config.worktrees.branchPrefix });
}

// Undoes worktreeForSpawn when the agent could not be created: the folder and the branch,
// which has nothing on it yet.
export async function discardSpawnWorktree(worktree: WorktreeEntry): Promise<void> {
  await removeWorktree(worktree);
  await git(worktree.repo, ['branch', '--quiet', '-D', '--', worktree.branch]);
}
