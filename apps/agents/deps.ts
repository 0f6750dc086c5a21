import type { AgentKinds, CmuxConfig, Logger, SerialQueue, TmuxClient } from '../core/src/index.js';

// What every agent operation needs; built once per process.
export interface AgentDeps {
  config: CmuxConfig;
  tmux: TmuxClient;
  kinds: AgentKinds;
  logger: Logger;
  // Serialises everything typed into one agent (keyed by agent id).
  input: SerialQueue;
}
