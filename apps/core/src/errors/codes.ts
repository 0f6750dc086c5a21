// Every error code cmux raises, with the HTTP status a route answers it with.
// Callers branch on the code, never on the message.
export const ERROR_CODES = {
  CMUX_ERR_CONFIG_INVALID: 500,
  CMUX_ERR_TMUX_MISSING: 500,
  CMUX_ERR_TMUX_NO_SERVER: 503,
  CMUX_ERR_TMUX_TARGET_NOT_FOUND: 404,
  CMUX_ERR_TMUX_TIMEOUT: 504,
  CMUX_ERR_TMUX_FAILED: 500,
  CMUX_ERR_TMUX_BAD_NAME: 400,
  CMUX_ERR_PORT_IN_USE: 409,
  CMUX_ERR_PM2_FAILED: 500,
  CMUX_ERR_START_FAILED: 500,
  CMUX_ERR_UNSAFE_BIND: 500,
  CMUX_ERR_NOT_RUNNING: 503,
  CMUX_ERR_USAGE: 400,
  CMUX_ERR_REGISTRY_CORRUPT: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
