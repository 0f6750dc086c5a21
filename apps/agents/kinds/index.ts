export type { CompleteAdapter, HookFacts, KindAdapter, MissingProgram } from './adapter.js';
export { ADAPTERS, kindFolder, loadKinds, type Kind, type Kinds } from './load.js';
export { launchLine, resolveAgentCommand, type ResolvedCommand } from './launch.js';
