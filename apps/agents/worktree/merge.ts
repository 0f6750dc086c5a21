import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CmuxError, isCmuxError } from '../../core/src/errors/index.js';
import type { WorktreeEntry } from '../../registry/index.js';
import { git } from './git.js';
import { assertExistingBranch, branchRef } from './names.js';
import { hasChanges, listCheckouts, resolveCommit, uncommittedFiles, type WorkingFile } from './repo.js';
import { removeWorktree } from './remove.js';

// How many of the commits to merge a preview lists (it always counts them all).
const MAX_LISTED_COMMITS = 200;

export interface MergeTarget {
  agent: string;
  worktree: WorktreeEntry;
  // The branch to merge into; the branch of the repository's main checkout by default.
  into?: string | undefined;
}

export interface MergeRequest extends MergeTarget {
  squash?: boolean | undefined;
  // Commit the worktree's uncommitted files on the worker's branch first, with this message.
  commitUncommitted?: { message: string } | undefined;
  // Where a temporary checkout of `into` goes when no checkout has it.
  dir: string;
}

export interface MergeCommit {
  commit: string;
  subject: string;
}

// What a merge would take and what it would leave behind, for a person to confirm.
export interface MergePreview {
  branch: string;
  into: string;
  // The worker's commits that `into` does not have, oldest first (the first 200 of commitCount).
  commits: MergeCommit[];
  commitCount: number;
  // Files not committed in the worktree: a merge leaves them behind unless told to commit them.
  uncommitted: WorkingFile[];
}

export interface MergeResult {
  branch: string;
  into: string;
  squash: boolean;
  // The commit `into` points at afterwards; null when there was nothing to merge.
  commit: string | null;
  commits: number;
  // The commit made on the worker's branch from its uncommitted files (commitUncommitted), and those files.
  committed: { commit: string; files: WorkingFile[] } | null;
  // Files still uncommitted in the worktree: not merged.
  leftBehind: WorkingFile[];
  // Whether any file was left behind.
  uncommitted: boolean;
}

// Lists what merging the worker's branch into `into` would take and leave behind; changes nothing.
export async function previewMerge(target: MergeTarget): Promise<MergePreview> {
  const { worktree } = target;
  const into = await mergeInto(target);
  const commits = await commitsToMerge(worktree, into);
  return { branch: worktree.branch, into, commits: commits.slice(0, MAX_LISTED_COMMITS), commitCount: commits.length, uncommitted: await filesIn(worktree) };
}

// Merges the worker's branch into `into`, in the checkout that has `into` (or a temporary one);
// with commitUncommitted, its uncommitted files are committed on its branch first. Both branches
// go to git by their full names, and the merge counts only when `into` afterwards holds the
// worker's head. A conflict stops it cleanly: the merge is undone (nothing half-merged is left)
// and the error names the conflicting files.
export async function mergeWorktree(request: MergeRequest): Promise<MergeResult> {
  const { worktree } = request;
  const into = await mergeInto(request);
  const committed = request.commitUncommitted ? await commitUncommitted(worktree, request.commitUncommitted.message) : null;
  const leftBehind = await filesIn(worktree);
  const squash = request.squash ?? false;
  const commits = (await commitsToMerge(worktree, into)).length;
  const result = { branch: worktree.branch, into, squash, commits, committed, leftBehind, uncommitted: leftBehind.length > 0 };
  if (commits === 0) return { ...result, commit: null };
  try {
    return { ...result, commit: await mergeBranch(request, into, squash) };
  } catch (error) {
    // The files are safe on the branch; the person must know they are no longer uncommitted.
    if (!committed || !isCmuxError(error)) throw error;
    throw new CmuxError(error.code, `${error.message} (the uncommitted files were committed on ${worktree.branch} first, as ${committed.commit.slice(0, 12)})`, {
      cause: error,
      context: { ...error.context, committed: committed.commit },
    });
  }
}

// The branch to merge into, checked: an existing branch that git reads as that branch alone,
// not the worker's own; and the worker's branch exists.
async function mergeInto(target: MergeTarget): Promise<string> {
  const { worktree } = target;
  const into = target.into ?? (await currentBranch(worktree.repo));
  if (into === worktree.branch) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `cannot merge ${into} into itself`, { context: { field: 'into' } });
  await assertExistingBranch(worktree.repo, into, 'into');
  await resolveCommit(worktree.repo, branchRef(worktree.branch)).catch((error: unknown) => {
    if (!isCmuxError(error, 'CMUX_ERR_BAD_REQUEST')) throw error;
    throw new CmuxError('CMUX_ERR_NO_WORKTREE', `the branch ${worktree.branch} of ${target.agent} is gone from ${worktree.repo} (deleted by hand?)`, { context: { branch: worktree.branch } });
  });
  return into;
}

// The worker's commits that `into` lacks, oldest first.
async function commitsToMerge(worktree: WorktreeEntry, into: string): Promise<MergeCommit[]> {
  const range = `${branchRef(into)}..${branchRef(worktree.branch)}`;
  const log = await git(worktree.repo, ['log', '--reverse', '--no-color', '--format=%H%x00%s%x00', range, '--'], { stripFinalNewline: false });
  const fields = log.stdout.split('\0');
  const commits: MergeCommit[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) commits.push({ commit: fields[i]!.trim(), subject: fields[i + 1]! });
  return commits;
}

// The worktree's uncommitted files; none when its folder is gone.
async function filesIn(worktree: WorktreeEntry): Promise<WorkingFile[]> {
  return existsSync(worktree.path) ? uncommittedFiles(worktree.path) : [];
}

// Commits every uncommitted file of the worktree (not the ignored ones) on the worker's branch.
// Refused when the worktree is not on that branch or holds an unresolved conflict: the commit
// would land elsewhere, or hold conflict markers.
async function commitUncommitted(worktree: WorktreeEntry, message: string): Promise<{ commit: string; files: WorkingFile[] } | null> {
  const files = await filesIn(worktree);
  if (files.length === 0) return null;
  const head = (await git(worktree.path, ['symbolic-ref', '--quiet', 'HEAD'], { allowFailure: true })).stdout.trim();
  if (head !== branchRef(worktree.branch)) {
    throw new CmuxError('CMUX_ERR_WORKTREE_STATE', `the worktree ${worktree.path} is not on its branch ${worktree.branch} (HEAD is ${head || 'a detached commit'}): commit its files there by hand`, {
      context: { path: worktree.path, head },
    });
  }
  const conflicted = files.filter((f) => f.status === 'conflicted').map((f) => f.path);
  if (conflicted.length > 0) {
    throw new CmuxError('CMUX_ERR_WORKTREE_STATE', `the worktree ${worktree.path} has unresolved conflicts in ${conflicted.join(', ')}: resolve them there first`, {
      context: { path: worktree.path, files: conflicted },
    });
  }
  await git(worktree.path, ['add', '--all']);
  await git(worktree.path, ['commit', '--quiet', '--no-verify', '-m', message]);
  return { commit: (await git(worktree.path, ['rev-parse', 'HEAD'])).stdout.trim(), files };
}

// Merges the commit the worker's branch points at (read by its full ref name: a tag of the same
// name is never taken for it, and a commit the worker makes meanwhile is not half-taken) where
// `into` is checked out, or in a temporary checkout; returns `into`'s new commit once it is
// verified to hold that commit.
async function mergeBranch(request: MergeRequest, into: string, squash: boolean): Promise<string> {
  const { worktree } = request;
  const checkout = (await listCheckouts(worktree.repo)).find((c) => c.branch === into)?.path;
  if (checkout && (await hasChanges(checkout, { untracked: false }))) {
    throw new CmuxError('CMUX_ERR_DIRTY_CHECKOUT', `${checkout} has ${into} checked out with uncommitted changes: commit or stash them, then merge again`, {
      context: { checkout, into },
    });
  }
  const head = await resolveCommit(worktree.repo, branchRef(worktree.branch));
  const before = await resolveCommit(worktree.repo, branchRef(into));
  const where = checkout ?? mkdtempSync(join(request.dir, '.merge-'));
  try {
    if (!checkout) await git(worktree.repo, ['worktree', 'add', '--quiet', '--', where, into]);
    const message = `${squash ? 'Squash-merge' : 'Merge'} ${worktree.branch} (agent ${request.agent}) into ${into}`;
    const merged = await git(where, ['merge', '--no-edit', ...(squash ? ['--squash'] : ['--no-ff', '-m', message]), '--', head], { allowFailure: true });
    if (merged.exitCode !== 0) await abandon(where, merged.stderr || merged.stdout, worktree.branch, into);
    if (squash) await git(where, ['commit', '--quiet', '--no-verify', '-m', message]);
    const after = await resolveCommit(worktree.repo, branchRef(into));
    await assertMerged({ repo: worktree.repo, branch: worktree.branch, into, head, before, after, squash });
    return after;
  } finally {
    if (!checkout) {
      await removeWorktree({ ...worktree, path: where }).catch(() => undefined);
      rmSync(where, { recursive: true, force: true });
    }
  }
}

// A merge counts only when `into` moved to a commit that holds the worker's head (for a squash,
// one commit on top of where `into` was): otherwise git merged something else, or nothing.
async function assertMerged(m: { repo: string; branch: string; into: string; head: string; before: string; after: string; squash: boolean }): Promise<void> {
  const holds = m.squash
    ? m.after !== m.before && (await resolveCommit(m.repo, `${m.after}^1`)) === m.before
    : (await git(m.repo, ['merge-base', '--is-ancestor', m.head, m.after], { allowFailure: true })).exitCode === 0;
  if (holds) return;
  throw new CmuxError('CMUX_ERR_MERGE_NOT_APPLIED', `${m.into} is at ${m.after.slice(0, 12)}, which does not hold ${m.branch} at ${m.head.slice(0, 12)}: the merge did not take; see \`git log ${branchRef(m.into)}\``, {
    context: { branch: m.branch, into: m.into, head: m.head, before: m.before, after: m.after },
  });
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
