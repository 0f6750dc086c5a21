export type { AgentDeps } from './deps.js';
export { observeAgents, type AgentListing, type AgentView } from './observe.js';
export { findAgent, findLiveAgent } from './find.js';
export { createAgent, startAgent, SUPERVISOR, workerPreamble, type SpawnRequest } from './spawn.js';
export { readChoices, chooseOnScreen, type ScreenChoices } from './dialogs.js';
export { rootProblem } from './preflight.js';
export { hookConfirmation } from './confirm-prompt.js';
export { agentTerminal, interruptAgent, killAgent, sendToAgent, MAX_TERMINAL_LINES, type KilledAgent } from './actions.js';
export { createAgentDeps } from './create-deps.js';
