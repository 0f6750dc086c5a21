export { createTmuxClient, assertSafeName, type TmuxClient, type TmuxClientOptions, type NewWindowOptions } from './client.js';
export { TMUX_INSTALL_HINT } from './errors.js';
export type { TmuxWindow } from './window-list.js';
export { tmuxClientFromConfig } from './from-config.js';
