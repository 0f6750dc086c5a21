export { createWorktree, type CreatedWorktree, type WorktreeRequest } from './create.js';
export { worktreeDiff, type ChangedFile, type WorktreeDiff } from './diff.js';
export { mergeWorktree, previewMerge, type MergePreview, type MergeRequest, type MergeResult } from './merge.js';
export type { WorkingFile } from './repo.js';
export { pendingWork, removeWorktree, type PendingWork } from './remove.js';
