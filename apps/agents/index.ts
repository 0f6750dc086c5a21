export type { AgentDeps } from './deps.js';
export { observeAgents, type AgentListing, type AgentView } from './observe.js';
export { findAgent, findLiveAgent } from './find.js';
export { createAgent, startAgent, type SpawnedAgent, type SpawnRequest } from './spawn.js';
export { agentTerminal, interruptAgent, killAgent, sendToAgent, MAX_TERMINAL_LINES, type KilledAgent, type KillOptions } from './actions.js';
export { agentDiff, mergeAgent } from './worktree/agent.js';
export type { ChangedFile, MergeResult, WorktreeDiff } from './worktree/index.js';
export { createAgentDeps } from './create-deps.js';
