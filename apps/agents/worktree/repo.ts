import { realpathSync } from 'node:fs';
import { CmuxError } from '../../core/src/errors/index.js';
import { git } from './git.js';
import { branchRef } from './names.js';

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
  return (await git(repo, ['show-ref', '--verify', '--quiet', branchRef(branch)], { allowFailure: true })).exitCode === 0;
}

// Changed, staged or new files in a checkout (ignored files do not count).
export async function hasChanges(checkout: string, opts: { untracked: boolean } = { untracked: true }): Promise<boolean> {
  const status = await git(checkout, ['status', '--porcelain', `--untracked-files=${opts.untracked ? 'all' : 'no'}`]);
  return status.stdout.trim() !== '';
}

export type WorkingFileStatus = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied' | 'type-changed' | 'untracked' | 'conflicted';

// A file whose state in a checkout is not committed.
export interface WorkingFile {
  path: string;
  status: WorkingFileStatus;
}

const WORKING_STATUS: Record<string, WorkingFileStatus> = { M: 'modified', A: 'added', D: 'deleted', R: 'renamed', C: 'copied', T: 'type-changed' };

// The changed, staged and new files of a checkout (ignored files do not count), by path.
export async function uncommittedFiles(checkout: string): Promise<WorkingFile[]> {
  const fields = (await git(checkout, ['status', '--porcelain=v1', '-z', '--untracked-files=all'], { stripFinalNewline: false })).stdout.split('\0');
  const files: WorkingFile[] = [];
  // `XY path`, and for a rename or copy a second field: the old path.
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!;
    if (entry.length < 4) continue;
    const [x, y] = [entry[0]!, entry[1]!];
    if (x === 'R' || x === 'C') i++;
    const conflicted = x === 'U' || y === 'U' || (x === y && (x === 'A' || x === 'D'));
    const status = x === '?' ? 'untracked' : conflicted ? 'conflicted' : (WORKING_STATUS[x === ' ' ? y : x] ?? 'modified');
    files.push({ path: entry.slice(3), status });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
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
