import { realpathSync } from 'node:fs';
import { CmuxError } from '../../core/src/errors/index.js';
import { git } from './git.js';

// The top folder of the git repository holding `cwd`; CMUX_ERR_NOT_A_REPO if there is none.
export async function repositoryOf(cwd: string): Promise<string> {
  const top = await git(cwd, ['rev-parse', '--show-toplevel'], { allowFailure: true });
  if (top.exitCode !== 0 || top.stdout.trim() === '') {
    throw new CmuxError('CMUX_ERR_NOT_A_REPO', `${cwd} is not inside a git repository: a worktree needs one (git init, or --cwd a repository)`, {
      context: { cwd },
    });
  }
  return realpathSync(top.stdout.trim());
}

// The full commit id `revision` names; CMUX_ERR_BAD_REQUEST when it names none.
export async function resolveCommit(repo: string, revision: string): Promise<string> {
  const found = await git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], { allowFailure: true });
  if (found.exitCode !== 0) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `${JSON.stringify(revision)} is not a commit in ${repo}${revision === 'HEAD' ? ' (the repository has no commit yet)' : ''}`, {
      context: { field: 'base' },
    });
  }
  return found.stdout.trim();
}

export async function branchExists(repo: string, branch: string): Promise<boolean> {
  return (await git(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { allowFailure: true })).exitCode === 0;
}

// Changed, staged or new files in a checkout (ignored files do not count).
export async function hasChanges(checkout: string, opts: { untracked: boolean } = { untracked: true }): Promise<boolean> {
  const status = await git(checkout, ['status', '--porcelain', `--untracked-files=${opts.untracked ? 'all' : 'no'}`]);
  return status.stdout.trim() !== '';
}

// The checkouts of a repository, as `git worktree list` sees them: path and branch (null when detached).
export async function listCheckouts(repo: string): Promise<Array<{ path: string; branch: string | null }>> {
  const listed = await git(repo, ['worktree', 'list', '--porcelain', '-z']);
  return listed.stdout
    .split('\0\0')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const fields = block.split('\0');
      const path = fields.find((f) => f.startsWith('worktree '))!.slice('worktree '.length);
      const ref = fields.find((f) => f.startsWith('branch '))?.slice('branch '.length);
      return { path, branch: ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null };
    });
}
