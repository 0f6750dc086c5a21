import { join } from 'node:path';
import type { CmuxConfig } from '../config/index.js';
import { createTmuxClient, type TmuxClient } from './client.js';

// The tmux client for the socket, config file and timeout a cmux configuration names. `control`:
// a long-lived app's, which keeps a control-mode connection to the session unless the
// configuration says not to (tmux.controlMode); a short-lived process spawns tmux per call.
export function tmuxClientFromConfig(config: CmuxConfig, opts: { control?: boolean } = {}): TmuxClient {
  return createTmuxClient({
    socket: config.tmux.socket,
    configFile: join(config.root, 'config', 'tmux.conf'),
    timeoutMs: config.tmux.commandTimeoutMs,
    ...(opts.control && config.tmux.controlMode ? { controlSession: config.tmux.session } : {}),
  });
}
