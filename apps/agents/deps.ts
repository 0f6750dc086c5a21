import type { CmuxConfig, Logger, SerialQueue, TmuxClient } from '../core/src/index.js';
import type { Kinds } from './kinds/index.js';

// What every agent operation needs; built once per process.
export interface AgentDeps {
  config: CmuxConfig;
  tmux: TmuxClient;
  kinds: Kinds;
  logger: Logger;
  // Serialises everything typed into one agent (keyed by agent id).
  input: SerialQueue;
}
