export { createLogger, type Logger, type LogLevel, type LoggerOptions } from './logger.js';
export { redactSecrets } from './redact.js';
