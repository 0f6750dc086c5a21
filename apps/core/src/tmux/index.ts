export { createTmuxClient, assertSafeName, type TmuxClient, type InterruptMark, type TmuxClientOptions, type NewWindowOptions, type TmuxEvent, type PaneActivity, type PaneWatch } from './client.js';
export { TMUX_INSTALL_HINT } from './errors.js';
export type { TmuxWindow } from './window-list.js';
export { tmuxClientFromConfig } from './from-config.js';
