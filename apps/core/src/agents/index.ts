export { compileKind, type AgentKind, type StartupDialog, type StrayMenu } from './kinds.js';
export { agentKindOverrideSchema, agentKindSchema, KIND_NAME, type AgentKindInput, type AgentKindOverride } from './kind-schema.js';
export { deriveStatus, detectPaneStatus, lastLines, showsInterrupt, type AgentStatus, type HookReport, type StatusInputs } from './status.js';
export { AGENT_NAME, agentId, assertAgentName } from './names.js';
export { shellQuote } from './shell.js';
export { promptDigest } from './prompt-digest.js';
