import { CmuxError } from '../../core/src/errors/index.js';
import { git } from './git.js';

// Branch names cmux creates: letters, digits and . _ / -, no leading dash or dot, no `..`,
// no `//`, no `.lock` ending. Stricter than git, checked before git sees the name; git's own
// check-ref-format runs after it.
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\/\.)(?!.*\.lock$)(?!.*[./]$)[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;
// A revision to start from: a branch, tag, commit id, or such a name with ~N / ^N.
const REVISION = /^(?!-)[A-Za-z0-9][A-Za-z0-9._/-]{0,199}([~^]\d{0,3})*$/;

export async function assertBranchName(repo: string, branch: string): Promise<void> {
  if (!BRANCH.test(branch)) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `bad branch name ${JSON.stringify(branch.slice(0, 80))}: letters, digits and . _ / -, not starting with - or .`, {
      context: { field: 'branch' },
    });
  }
  const checked = await git(repo, ['check-ref-format', '--branch', branch], { allowFailure: true });
  if (checked.exitCode !== 0) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `git does not accept the branch name ${JSON.stringify(branch)}`, { context: { field: 'branch' } });
  }
}

export function assertRevision(base: string): void {
  if (!REVISION.test(base)) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `bad base ${JSON.stringify(base.slice(0, 80))}: a branch, tag or commit, such as main or HEAD~1`, {
      context: { field: 'base' },
    });
  }
}
