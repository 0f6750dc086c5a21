import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CmuxError } from '../../core/src/errors/index.js';
import type { WorktreeEntry } from '../../registry/index.js';
import { git } from './git.js';
import { assertBranchName, assertNameFree, assertRevision } from './names.js';
import { branchExists, hasChanges, repositoryOf, resolveCommit } from './repo.js';

export interface WorktreeRequest {
  // The agent's name: the worktree's folder and the default branch are named after it.
  name: string;
  // The folder the agent was asked to work in; its repository is the one a worktree is added to.
  cwd: string;
  branch?: string | undefined;
  base?: string | undefined;
  // The folder holding cmux's worktrees, and the prefix of the default branch name.
  dir: string;
  branchPrefix: string;
}

export interface CreatedWorktree {
  worktree: WorktreeEntry;
  // Where the agent works: the worktree, or the same subfolder of it that `cwd` was of the repository.
  cwd: string;
  // Set when the main checkout had uncommitted changes, which the worktree does not have.
  notice?: string;
}

// Adds a git worktree on a new branch from the base (HEAD of the repository by default) in a
// folder of cmux's own. Every name is checked before git sees it; nothing is left behind when
// a step fails.
export async function createWorktree(request: WorktreeRequest): Promise<CreatedWorktree> {
  const repo = await repositoryOf(request.cwd);
  const branch = request.branch ?? `${request.branchPrefix}${request.name}`;
  await assertBranchName(repo, branch);
  if (request.base !== undefined) assertRevision(request.base);
  const base = await resolveCommit(repo, request.base ?? 'HEAD');
  if (await branchExists(repo, branch)) {
    throw new CmuxError('CMUX_ERR_BRANCH_EXISTS', `branch ${branch} exists already in ${repo}: choose another with --branch, or delete it`, {
      context: { repo, branch },
    });
  }
  await assertNameFree(repo, branch);
  mkdirSync(request.dir, { recursive: true, mode: 0o700 });
  const path = join(realpathSync(request.dir), request.name);
  if (existsSync(path)) {
    throw new CmuxError('CMUX_ERR_AGENT_EXISTS', `${path} exists already (a worktree kept by \`cmux kill --keep\`?): remove it or choose another name`, {
      context: { path },
    });
  }
  await git(repo, ['worktree', 'add', '--quiet', '-b', branch, '--', path, base]);
  const dirty = await hasChanges(repo);
  const short = base.slice(0, 12);
  const inside = relative(repo, realpathSync(request.cwd));
  return {
    worktree: { repo, branch, base, path },
    cwd: inside === '' ? path : join(path, inside),
    ...(dirty
      ? { notice: `${repo} has uncommitted changes; the worktree starts from the base commit ${short} without them (commit them first to give them to the agent)` }
      : {}),
  };
}
