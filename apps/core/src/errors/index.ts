export { CmuxError, isCmuxError, type ErrorContext } from './cmux-error.js';
export { ERROR_CODES, type ErrorCode } from './codes.js';
export { badInput, parseInput } from './input.js';
