export { findListeners } from './listeners.js';
export { describeProcess, isAlive, readEnvironment, type ProcessInfo } from './process-info.js';
export { terminateAll, waitUntil, type TerminateOutcome } from './terminate.js';
