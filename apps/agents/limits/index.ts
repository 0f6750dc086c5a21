export { accountOf, limitOnScreen, type ScreenLimit } from './detect.js';
export { MAX_AHEAD_MS, parseReset, type Reset } from './reset.js';
