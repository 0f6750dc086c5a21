import { format } from 'node:util';
import { redactSecrets } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  // Where lines go; PM2 sends an app's stdout and stderr to its files under $CMUX_HOME/logs.
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
  debug?: boolean;
}

// A line logger: `<ISO time> <LEVEL> [<app>] <message> <context as JSON>`, one line per call,
// errors and warnings on stderr. Plain text so that `grep` and the log watcher read it as is.
// A secret in it (a `?token=`, a bearer header, a cookie) is redacted: logs are read and copied.
export function createLogger(app: string, options: LoggerOptions = {}): Logger {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const write = (level: LogLevel, message: string, context?: Record<string, unknown>): void => {
    if (level === 'debug' && !options.debug) return;
    const extra = context && Object.keys(context).length > 0 ? ` ${safeJson(context)}` : '';
    const line = `${new Date().toISOString()} ${level.toUpperCase()} [${app}] ${redactSecrets(`${oneLine(message)}${extra}`)}\n`;
    (level === 'error' || level === 'warn' ? err : out).write(line);
  };
  return {
    debug: (m, c) => write('debug', m, c),
    info: (m, c) => write('info', m, c),
    warn: (m, c) => write('warn', m, c),
    error: (m, c) => write('error', m, c),
  };
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' | ');
}

function safeJson(value: Record<string, unknown>): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v,
    );
  } catch {
    return format('%o', value);
  }
}
