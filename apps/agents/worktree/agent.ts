import { CmuxError } from '../../core/src/errors/index.js';
import type { Logger } from '../../core/src/log/index.js';
import type { RegisteredAgent, WorktreeEntry } from '../../registry/index.js';
import type { AgentDeps } from '../deps.js';
import { findAgent } from '../find.js';
import { worktreeDiff, type WorktreeDiff } from './diff.js';
import { mergeWorktree, previewMerge, type MergePreview, type MergeResult } from './merge.js';
import { pendingWork, removeWorktree } from './remove.js';
import type { WorkingFile } from './repo.js';

// The worktree of a registered agent; CMUX_ERR_NO_WORKTREE when it was spawned without one.
export async function agentWorktree(deps: AgentDeps, id: string): Promise<WorktreeEntry> {
  const { agent } = await findAgent(deps, id);
  if (!agent.worktree) {
    throw new CmuxError('CMUX_ERR_NO_WORKTREE', `agent ${id} has no worktree of its own (spawn it with --worktree)`, { context: { id } });
  }
  return agent.worktree;
}

export async function agentDiff(deps: AgentDeps, id: string): Promise<WorktreeDiff> {
  return worktreeDiff(await agentWorktree(deps, id));
}

export interface MergeOptions {
  into?: string | undefined;
  squash?: boolean | undefined;
  // Commit the worktree's uncommitted files on the worker's branch first (with `message`).
  commitUncommitted?: boolean | undefined;
  message?: string | undefined;
}

// What merging an agent's branch would take (its commits) and leave behind (its uncommitted files).
export async function previewAgentMerge(deps: AgentDeps, id: string, options: { into?: string | undefined }): Promise<MergePreview> {
  return previewMerge({ agent: id, worktree: await agentWorktree(deps, id), into: options.into });
}

export async function mergeAgent(deps: AgentDeps, id: string, options: MergeOptions): Promise<MergeResult> {
  const commitUncommitted = options.commitUncommitted ? { message: commitMessage(id, options.message) } : undefined;
  if (!commitUncommitted && options.message !== undefined) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', 'a message goes with committing the uncommitted files: add --commit-uncommitted ("commitUncommitted": true)', { context: { field: 'message' } });
  }
  const worktree = await agentWorktree(deps, id);
  const result = await mergeWorktree({ agent: id, worktree, into: options.into, squash: options.squash, commitUncommitted, dir: deps.config.worktrees.dir });
  deps.logger.info(`merged ${worktree.branch} of ${id} into ${result.into}`, { ...result });
  return result;
}

// The message of the commit made from a worker's uncommitted files: the one given, or one that
// says where the files came from.
function commitMessage(id: string, message: string | undefined): string {
  if (message === undefined) return `Uncommitted work of agent ${id}, committed by cmux merge`;
  if (message.trim() === '' || message.length > 5_000 || message.includes('\0')) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', 'the commit message must hold some text, at most 5000 characters, and no NUL', { context: { field: 'message' } });
  }
  return message;
}

// Refuses to kill a worker whose worktree holds uncommitted files or commits no other branch
// has, unless forced or the worktree is kept: that work would be out of sight or gone (the
// branch itself always stays). The refusal says what keeps the work.
export async function assertNothingPending(agent: RegisteredAgent): Promise<void> {
  if (!agent.worktree) return;
  const { uncommitted, unmerged } = await pendingWork(agent.worktree);
  if (uncommitted.length === 0 && unmerged === 0) return;
  const what = [
    uncommitted.length > 0 ? `uncommitted files in ${agent.worktree.path}: ${describeFiles(uncommitted)}` : '',
    unmerged > 0 ? `${unmerged} commit(s) on ${agent.worktree.branch} merged nowhere` : '',
  ].filter(Boolean);
  const keep =
    uncommitted.length > 0
      ? `commit them in the worktree, or \`cmux merge ${agent.id} --commit-uncommitted\` (commits them on ${agent.worktree.branch}, then merges)`
      : `\`cmux merge ${agent.id}\``;
  throw new CmuxError(
    'CMUX_ERR_UNMERGED_WORK',
    `${agent.id} has ${what.join('; and ')}. To keep the work: ${keep}, or kill with --keep (the worktree folder stays as it is). ` +
      `--force kills anyway${uncommitted.length > 0 ? ' and removes the folder with the uncommitted files' : ''} (the branch stays)`,
    { context: { id: agent.id, uncommitted: uncommitted.map((f) => f.path), unmerged } },
  );
}

// A worktree's files for a person: `path (status)`, up to ten of them, and how many more.
export function describeFiles(files: readonly WorkingFile[]): string {
  const named = files.slice(0, 10).map((f) => `${f.path} (${f.status})`);
  return files.length > 10 ? `${named.join(', ')} and ${files.length - 10} more` : named.join(', ');
}

export interface RetiredWorktree {
  path: string;
  branch: string;
  kept: boolean;
}

// After a kill: the worktree folder goes unless kept; the branch stays either way. A failure
// is logged and reported, never thrown: the agent is gone already.
export async function retireWorktree(worktree: WorktreeEntry, keep: boolean, logger: Logger): Promise<RetiredWorktree> {
  if (keep) return { path: worktree.path, branch: worktree.branch, kept: true };
  try {
    await removeWorktree(worktree);
    return { path: worktree.path, branch: worktree.branch, kept: false };
  } catch (error) {
    logger.warn(`could not remove the worktree ${worktree.path}: ${(error as Error).message}`);
    return { path: worktree.path, branch: worktree.branch, kept: true };
  }
}
