export { lastGoodFile, readRegistry, readRegistryForLookup } from './read.js';
export { updateRegistry, type RegistryUpdate } from './update.js';
export {
  createAgentWindow,
  listAgentWindows,
  markStarted,
  markTeamStopped,
  ownsWindow,
  relaunchAgentWindow,
  recordSessionId,
  registerExistingWindow,
  unregisterAgent,
  type AgentWindow,
  type AgentWindows,
  type NewAgentWindow,
  type RegisteredAgent,
  type RegistryDeps,
} from './windows.js';
export type { AgentEntry, RegistryFile, WorktreeEntry } from './schema.js';
export { repairRegistry, type RepairReport, type RestoredFrom } from './repair.js';
