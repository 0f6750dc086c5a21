export type { CompleteAdapter, HookFacts, KindAdapter, MissingProgram } from './adapter.js';
export { kindFolder } from './folder.js';
export { ADAPTERS, loadKinds, type Kind, type Kinds } from './load.js';
export { commandForKind, launchLine, resolveAgentCommand, type ResolvedCommand } from './launch.js';
