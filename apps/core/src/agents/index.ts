export { loadAgentKinds, type AgentKind, type AgentKinds } from './kinds.js';
export { AGENT_STATUS, deriveStatus, detectPaneStatus, HOOK_FRESH_MS, lastLines, type AgentStatus, type HookReport, type StatusInputs } from './status.js';
export { AGENT_NAME, agentId, assertAgentName } from './names.js';
export { CLAUDE_COMMAND, demoAgentCommand, launchLine, resolveAgentCommand, shellQuote, type ResolvedCommand } from './command.js';
