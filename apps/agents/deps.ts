import type { CmuxConfig, Logger, SerialQueue, TmuxClient } from '../core/src/index.js';
import type { Kinds } from './kinds/index.js';

// What every agent operation needs; built once per process.
export interface AgentDeps {
  config: CmuxConfig;
  tmux: TmuxClient;
  kinds: Kinds;
  logger: Logger;
  // Orders what this process types into each agent (keyed by agent id); withTypingLock keeps
  // it apart from what other processes type.
  input: SerialQueue;
}
