import type { CmuxConfig } from '../core/src/config/index.js';
import type { SerialQueue } from '../core/src/input/index.js';
import type { Logger } from '../core/src/log/index.js';
import type { TmuxClient } from '../core/src/tmux/index.js';
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
