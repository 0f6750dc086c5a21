export { descendantsOf } from './descendants.js';
export { findListeners } from './listeners.js';
export { describeProcess, isAlive, readEnvironment, runsForegroundJob, type ProcessInfo } from './process-info.js';
export { canBind, findPortHolders, portInUseError, type PortHolder } from './port-holders.js';
export { terminateAll, waitForExit, waitUntil, type TerminateOutcome } from './terminate.js';
export { which } from './which.js';
