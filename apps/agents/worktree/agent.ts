import { CmuxError } from '../../core/src/errors/index.js';
import type { Logger } from '../../core/src/log/index.js';
import type { RegisteredAgent, WorktreeEntry } from '../../registry/index.js';
import type { AgentDeps } from '../deps.js';
import { findAgent } from '../find.js';
import { worktreeDiff, type WorktreeDiff } from './diff.js';
import { mergeWorktree, type MergeResult } from './merge.js';
import { pendingWork, removeWorktree } from './remove.js';

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

export async function mergeAgent(deps: AgentDeps, id: string, options: { into?: string | undefined; squash?: boolean | undefined }): Promise<MergeResult> {
  const worktree = await agentWorktree(deps, id);
  const result = await mergeWorktree({ agent: id, worktree, ...options, dir: deps.config.worktrees.dir });
  deps.logger.info(`merged ${worktree.branch} of ${id} into ${result.into}`, { ...result });
  return result;
}

// Refuses to kill a worker whose worktree holds uncommitted changes or commits no other
// branch has, unless forced: that work would be out of sight (the branch itself always stays).
export async function assertNothingPending(agent: RegisteredAgent): Promise<void> {
  if (!agent.worktree) return;
  const pending = await pendingWork(agent.worktree);
  const what = [
    pending.uncommitted ? `uncommitted changes in ${agent.worktree.path}` : '',
    pending.unmerged > 0 ? `${pending.unmerged} commit(s) on ${agent.worktree.branch} merged nowhere` : '',
  ].filter(Boolean);
  if (what.length === 0) return;
  throw new CmuxError('CMUX_ERR_UNMERGED_WORK', `${agent.id} has ${what.join(' and ')}: \`cmux merge ${agent.id}\` first, or kill with --force (--keep keeps the worktree)`, {
    context: { id: agent.id, ...pending },
  });
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
