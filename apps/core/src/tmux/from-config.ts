import { join } from 'node:path';
import type { CmuxConfig } from '../config/index.js';
import { createTmuxClient, type TmuxClient } from './client.js';

// The tmux client for the socket, config file and timeout a cmux configuration names.
export function tmuxClientFromConfig(config: CmuxConfig): TmuxClient {
  return createTmuxClient({
    socket: config.tmux.socket,
    configFile: join(config.root, 'config', 'tmux.conf'),
    timeoutMs: config.tmux.commandTimeoutMs,
  });
}
