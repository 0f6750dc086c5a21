export { loadAgentKinds, type AgentKind, type AgentKinds } from './kinds.js';
export { deriveStatus, detectPaneStatus, lastLines, type AgentStatus, type HookReport, type StatusInputs } from './status.js';
export { AGENT_NAME, agentId, assertAgentName } from './names.js';
export { launchLine, resolveAgentCommand, shellQuote, type ResolvedCommand } from './command.js';
export { promptDigest } from './prompt-digest.js';
