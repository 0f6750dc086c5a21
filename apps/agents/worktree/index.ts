export { createWorktree, type CreatedWorktree, type WorktreeRequest } from './create.js';
export { worktreeDiff, type ChangedFile, type WorktreeDiff } from './diff.js';
export { mergeWorktree, type MergeRequest, type MergeResult } from './merge.js';
export { pendingWork, removeWorktree, type PendingWork } from './remove.js';
