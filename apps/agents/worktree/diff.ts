import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CmuxError } from '../../core/src/errors/index.js';
import type { WorktreeEntry } from '../../registry/index.js';
import { git } from './git.js';

// The patch is cut at this size (the file list is always whole).
const MAX_PATCH_BYTES = 2 * 1024 * 1024;

export type FileStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed';

export interface ChangedFile {
  path: string;
  // The old path of a renamed or copied file.
  from?: string;
  status: FileStatus;
  // null for a binary file.
  additions: number | null;
  deletions: number | null;
}

export interface WorktreeDiff {
  repo: string;
  branch: string;
  base: string;
  path: string;
  files: ChangedFile[];
  patch: string;
  truncated: boolean;
}

const STATUS: Record<string, FileStatus> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type-changed' };

// Everything the worker changed since its base: commits, uncommitted edits and new files, as
// one diff. The working tree is staged into a throwaway index, so the worker's own index (what
// it has staged) is left exactly as it was.
export async function worktreeDiff(worktree: WorktreeEntry): Promise<WorktreeDiff> {
  if (!existsSync(worktree.path)) {
    throw new CmuxError('CMUX_ERR_NO_WORKTREE', `the worktree ${worktree.path} is gone (removed by hand?); branch ${worktree.branch} still has the commits`, {
      context: { path: worktree.path },
    });
  }
  const scratch = mkdtempSync(join(tmpdir(), 'cmux-diff-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    const run = (args: string[]) => git(worktree.path, args, { env, stripFinalNewline: false });
    await run(['read-tree', 'HEAD']);
    await run(['add', '--all', '--', '.']);
    const range = ['diff', '--cached', '--find-renames', '--no-color', '--no-ext-diff', worktree.base];
    const [names, numbers, patch] = await Promise.all([
      run([...range, '--name-status', '-z']),
      run([...range, '--numstat', '-z']),
      run([...range, '--patch']),
    ]);
    const truncated = Buffer.byteLength(patch.stdout) > MAX_PATCH_BYTES;
    return {
      repo: worktree.repo,
      branch: worktree.branch,
      base: worktree.base,
      path: worktree.path,
      files: joinStats(parseNameStatus(names.stdout), parseNumstat(numbers.stdout)),
      patch: truncated ? Buffer.from(patch.stdout).subarray(0, MAX_PATCH_BYTES).toString('utf8') : patch.stdout,
      truncated,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// `--name-status -z`: STATUS\0path\0, or for renames and copies Rnnn\0old\0new\0.
function parseNameStatus(out: string): Array<Pick<ChangedFile, 'path' | 'from' | 'status'>> {
  const fields = out.split('\0');
  const files: Array<Pick<ChangedFile, 'path' | 'from' | 'status'>> = [];
  for (let i = 0; i < fields.length - 1; ) {
    const code = fields[i++]!;
    const status = STATUS[code[0]!] ?? 'modified';
    if (status === 'renamed' || status === 'copied') {
      files.push({ from: fields[i++]!, path: fields[i++]!, status });
    } else {
      files.push({ path: fields[i++]!, status });
    }
  }
  return files;
}

// `--numstat -z`: adds\tdels\tpath\0, or for renames adds\tdels\t\0old\0new\0; `-` for binary.
function parseNumstat(out: string): Map<string, { additions: number | null; deletions: number | null }> {
  const fields = out.split('\0');
  const stats = new Map<string, { additions: number | null; deletions: number | null }>();
  for (let i = 0; i < fields.length - 1; ) {
    const [adds, dels, path] = fields[i++]!.split('\t');
    const target = path === '' ? (i++, fields[i++]!) : path!;
    stats.set(target, { additions: adds === '-' ? null : Number(adds), deletions: dels === '-' ? null : Number(dels) });
  }
  return stats;
}

function joinStats(files: ReturnType<typeof parseNameStatus>, stats: ReturnType<typeof parseNumstat>): ChangedFile[] {
  return files.map((f) => ({ ...f, ...(stats.get(f.path) ?? { additions: 0, deletions: 0 }) }));
}
