import { ERROR_CODES, type ErrorCode } from './codes.js';

export type ErrorContext = Record<string, unknown>;

// The one error class of cmux: a stable code, the HTTP status that goes with it,
// the context a person needs to act on it, and the underlying cause.
export class CmuxError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CmuxError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.context = options.context ?? {};
  }
}

// True when `error` is a CmuxError, optionally with one of the given codes.
export function isCmuxError(error: unknown, ...codes: ErrorCode[]): error is CmuxError {
  return error instanceof CmuxError && (codes.length === 0 || codes.includes(error.code));
}
