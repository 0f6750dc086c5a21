export { readRegistry } from './read.js';
export type { AgentEntry, RegistryFile } from './schema.js';
