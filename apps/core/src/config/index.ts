export { assertSafeBind, isLoopback } from './bind.js';
export { CLUSTER_FILE, forgetTokenVariable, loadConfig, type LoadConfigOptions } from './load.js';
export type { ClusterConfig, CmuxConfig, CmuxConfigInput, NotifyEvent, Price, TmuxSocket } from './schema.js';
export { agentEnv } from './schema.js';
export { serverUrl } from './server-url.js';
