import { existsSync } from 'node:fs';
import type { WorktreeEntry } from '../../registry/index.js';
import { git } from './git.js';
import { branchRef } from './names.js';
import { listCheckouts, uncommittedFiles, type WorkingFile } from './repo.js';

export interface PendingWork {
  // Changed, staged and new files that are not committed.
  uncommitted: WorkingFile[];
  // Commits of the worker's branch that no other branch holds.
  unmerged: number;
}

// What would be lost with the worktree: uncommitted (or new) files, and commits no other branch has.
export async function pendingWork(worktree: WorktreeEntry): Promise<PendingWork> {
  const uncommitted = existsSync(worktree.path) ? await uncommittedFiles(worktree.path) : [];
  const count = await git(worktree.repo, ['rev-list', '--count', branchRef(worktree.branch), '--not', `--exclude=${worktree.branch}`, '--branches'], {
    allowFailure: true,
  });
  return { uncommitted, unmerged: count.exitCode === 0 ? Number(count.stdout.trim()) : 0 };
}

// Removes the worktree's folder (and git's record of it); the branch stays. Only a path git
// lists as a linked worktree of the repository is removed, so the main checkout is never touched.
export async function removeWorktree(worktree: WorktreeEntry): Promise<void> {
  const [main, ...linked] = await listCheckouts(worktree.repo);
  if (main?.path !== worktree.path && linked.some((c) => c.path === worktree.path)) {
    await git(worktree.repo, ['worktree', 'remove', '--force', '--force', '--', worktree.path]);
  }
  // A folder deleted by hand leaves a record behind.
  await git(worktree.repo, ['worktree', 'prune']);
}
