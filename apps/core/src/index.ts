// The public surface of cmux's shared core, one line per concern.
export * from './errors/index.js';
export * from './config/index.js';
export * from './paths/index.js';
export * from './tmux/index.js';
export * from './log/index.js';
export * from './proc/index.js';
export * from './lifecycle/index.js';
export * from './ecosystem/index.js';
export * from './pm2/index.js';
export * from './lock/index.js';
export * from './fs/index.js';
export * from './agents/index.js';
export * from './input/index.js';
export * from './journal/index.js';
export * from './mailbox/index.js';
export * from './history/index.js';
