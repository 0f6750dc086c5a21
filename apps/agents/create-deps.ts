import type { CmuxConfig } from '../core/src/config/index.js';
import { createSerialQueue } from '../core/src/input/index.js';
import type { Logger } from '../core/src/log/index.js';
import { tmuxClientFromConfig } from '../core/src/tmux/index.js';
import { loadKinds } from './kinds/index.js';
import type { AgentDeps } from './deps.js';

// The agent dependencies of one process: its tmux client, the agent kinds and one input queue.
// `control`: a long-lived app's tmux client, with a control-mode connection (closed on stop).
export function createAgentDeps(config: CmuxConfig, logger: Logger, opts: { control?: boolean } = {}): AgentDeps {
  return { config, tmux: tmuxClientFromConfig(config, opts), kinds: loadKinds(config), logger, input: createSerialQueue() };
}
