import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CmuxError } from '../../core/src/errors/index.js';
import type { WorktreeEntry } from '../../registry/index.js';
import { git } from './git.js';
import { assertBranchName } from './names.js';
import { branchExists, hasChanges, listCheckouts } from './repo.js';
import { removeWorktree } from './remove.js';

export interface MergeRequest {
  agent: string;
  worktree: WorktreeEntry;
  // The branch to merge into; the branch of the repository's main checkout by default.
  into?: string | undefined;
  squash?: boolean | undefined;
  // Where a temporary checkout of `into` goes when no checkout has it.
  dir: string;
}

export interface MergeResult {
  branch: string;
  into: string;
  squash: boolean;
  // The commit `into` points at afterwards; null when there was nothing to merge.
  commit: string | null;
  commits: number;
  // Set when the worker has uncommitted changes, which a merge of its branch does not include.
  uncommitted: boolean;
}

// Merges the worker's branch into `into`, in the checkout that has `into` (or a temporary one).
// A conflict stops it cleanly: the merge is undone (nothing half-merged is left) and the error
// names the conflicting files.
export async function mergeWorktree(request: MergeRequest): Promise<MergeResult> {
  const { worktree } = request;
  const into = request.into ?? (await currentBranch(worktree.repo));
  await assertBranchName(worktree.repo, into);
  if (into === worktree.branch) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `cannot merge ${into} into itself`, { context: { field: 'into' } });
  if (!(await branchExists(worktree.repo, into))) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `no branch ${into} in ${worktree.repo}`, { context: { field: 'into' } });
  }
  const commits = Number((await git(worktree.repo, ['rev-list', '--count', `refs/heads/${into}..refs/heads/${worktree.branch}`])).stdout.trim());
  const uncommitted = await hasChanges(worktree.path).catch(() => false);
  const squash = request.squash ?? false;
  if (commits === 0) return { branch: worktree.branch, into, squash, commit: null, commits, uncommitted };

  const checkout = (await listCheckouts(worktree.repo)).find((c) => c.branch === into)?.path;
  if (checkout && (await hasChanges(checkout, { untracked: false }))) {
    throw new CmuxError('CMUX_ERR_DIRTY_CHECKOUT', `${checkout} has ${into} checked out with uncommitted changes: commit or stash them, then merge again`, {
      context: { checkout, into },
    });
  }
  const where = checkout ?? mkdtempSync(join(request.dir, '.merge-'));
  try {
    if (!checkout) await git(worktree.repo, ['worktree', 'add', '--quiet', '--', where, into]);
    const message = `${squash ? 'Squash-merge' : 'Merge'} ${worktree.branch} (agent ${request.agent}) into ${into}`;
    const merged = await git(where, ['merge', '--no-edit', ...(squash ? ['--squash'] : ['--no-ff', '-m', message]), '--', worktree.branch], { allowFailure: true });
    if (merged.exitCode !== 0) await abandon(where, merged.stderr || merged.stdout, worktree.branch, into);
    if (squash) await git(where, ['commit', '--quiet', '--no-verify', '-m', message]);
    const commit = (await git(where, ['rev-parse', 'HEAD'])).stdout.trim();
    return { branch: worktree.branch, into, squash, commit, commits, uncommitted };
  } finally {
    if (!checkout) {
      await removeWorktree({ ...worktree, path: where }).catch(() => undefined);
      rmSync(where, { recursive: true, force: true });
    }
  }
}

// Undoes a failed merge (`reset --merge` works for a squash too, which leaves no MERGE_HEAD) and
// throws the conflict, or git's own reason when it was something else.
async function abandon(where: string, output: string, branch: string, into: string): Promise<never> {
  const conflicted = (await git(where, ['diff', '--name-only', '--diff-filter=U', '-z'])).stdout.split('\0').filter(Boolean);
  await git(where, ['reset', '--merge']);
  if (conflicted.length === 0) throw new CmuxError('CMUX_ERR_GIT_FAILED', `git could not merge ${branch} into ${into}: ${output.trim()}`);
  throw new CmuxError('CMUX_ERR_MERGE_CONFLICT', `merging ${branch} into ${into} conflicts in ${conflicted.join(', ')}: nothing was merged; resolve it on ${branch} (or merge by hand)`, {
    context: { files: conflicted, branch, into },
  });
}

async function currentBranch(repo: string): Promise<string> {
  const [main] = await listCheckouts(repo);
  if (!main?.branch) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `${repo} has no branch checked out: say which with --into`, { context: { field: 'into' } });
  return main.branch;
}
