import { CmuxError } from '../../core/src/errors/index.js';
import { git } from './git.js';

// Branch names cmux creates: letters, digits and . _ / -, no leading dash or dot, no `..`,
// no `//`, no `.lock` ending. Stricter than git, checked before git sees the name; git's own
// check-ref-format runs after it.
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\/\.)(?!.*\.lock$)(?!.*[./]$)[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;
// Names git reads as something other than a branch whatever refs exist: HEAD and the pseudo-refs
// (FETCH_HEAD, ORIG_HEAD, MERGE_HEAD, CHERRY_PICK_HEAD, …), and names that start like a full or
// partial ref name (`refs/heads/main` would be a branch refs/heads/refs/heads/main, while git
// reads `refs/heads/main` as main; git tries `refs/<name>` before `refs/heads/<name>`, so a
// branch `tags/v1` would give way to the tag v1).
const NOT_A_BRANCH = /^(?:(?:[A-Z]+_)*HEAD|(?:refs|heads|tags|remotes)\/.*)$/;
// A revision to start from: a branch, tag, commit id, or such a name with ~N / ^N.
const REVISION = /^(?!-)[A-Za-z0-9][A-Za-z0-9._/-]{0,199}([~^]\d{0,3})*$/;

// The full name of a branch: how cmux hands a branch to git, so no tag, pseudo-ref or other
// ref of the same short name is ever taken for it.
export function branchRef(branch: string): string {
  return `refs/heads/${branch}`;
}

// Throws unless `branch` is a name cmux may give git as a branch: its own rules, the names that
// mean something else to git (CMUX_ERR_REF_AMBIGUOUS), then git's check-ref-format.
export async function assertBranchName(repo: string, branch: string, field = 'branch'): Promise<void> {
  if (!BRANCH.test(branch)) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `bad branch name ${JSON.stringify(branch.slice(0, 80))}: letters, digits and . _ / -, not starting with - or .`, {
      context: { field },
    });
  }
  if (NOT_A_BRANCH.test(branch)) {
    throw new CmuxError('CMUX_ERR_REF_AMBIGUOUS', `${JSON.stringify(branch)} cannot be a branch name: git reads it as ${/HEAD$/.test(branch) ? 'a reference of its own (HEAD, FETCH_HEAD, …)' : 'a full reference name'}; choose another`, {
      context: { field, branch },
    });
  }
  const checked = await git(repo, ['check-ref-format', '--branch', branch], { allowFailure: true });
  if (checked.exitCode !== 0) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `git does not accept the branch name ${JSON.stringify(branch)}`, { context: { field } });
  }
}

// What git reads the short name `name` as, as rev-parse does for a person typing it: the full
// ref name; OTHER when it is a commit id or two refs answer to it (git then warns and picks one);
// null when nothing does.
const OTHER = 'a commit id, or more than one ref (a branch and a tag?)';
async function readAs(repo: string, name: string): Promise<string | null> {
  const found = await git(repo, ['rev-parse', '--verify', '--quiet', '--symbolic-full-name', name], { allowFailure: true });
  if (found.exitCode !== 0) return null;
  return found.stdout.trim() || OTHER;
}

// Throws CMUX_ERR_REF_AMBIGUOUS when the name of a branch about to be made already names
// something else in `repo`, a tag above all: `spawn --branch release` beside a tag `release`
// made a branch that `git merge release` (and every person) would read as the tag.
export async function assertNameFree(repo: string, branch: string): Promise<void> {
  const taken = await readAs(repo, branch);
  if (taken === null) return;
  throw new CmuxError('CMUX_ERR_REF_AMBIGUOUS', `${JSON.stringify(branch)} already names ${taken} in ${repo}: git would read the new branch as that; choose another --branch`, {
    context: { field: 'branch', branch, taken },
  });
}

// Throws unless `branch` is an existing branch of `repo` that git reads as that branch and
// nothing else (with a tag of the same name, every short use of it means the tag).
export async function assertExistingBranch(repo: string, branch: string, field: string): Promise<void> {
  await assertBranchName(repo, branch, field);
  const taken = await readAs(repo, branch);
  if (taken === null) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `no branch ${branch} in ${repo}`, { context: { field } });
  if (taken !== branchRef(branch)) {
    throw new CmuxError('CMUX_ERR_REF_AMBIGUOUS', `${JSON.stringify(branch)} names ${taken} in ${repo}, not one branch: rename one of them, or merge by hand`, {
      context: { field, branch, taken },
    });
  }
}

export function assertRevision(base: string): void {
  if (!REVISION.test(base)) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `bad base ${JSON.stringify(base.slice(0, 80))}: a branch, tag or commit, such as main or HEAD~1`, {
      context: { field: 'base' },
    });
  }
}
