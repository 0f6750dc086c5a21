import { forgetTokenVariable, loadConfig, type CmuxConfig } from '../config/index.js';
import { isCmuxError } from '../errors/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { ensureOwnHome } from '../paths/index.js';

// What every long-lived cmux app is: started once, stopped once (repeat stops share the first).
export interface AppHandle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type AppFactory = (config: CmuxConfig, logger: Logger) => AppHandle;

// Memoises an async function of no arguments: every call after the first gets the first promise.
export function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

// The edge of every PM2 app: loads the config, starts the app, tells PM2 `ready`, and stops it
// exactly once on SIGINT, SIGTERM or a PM2 shutdown message (a signal may arrive twice), exiting 0.
export async function runApp(name: string, factory: AppFactory): Promise<void> {
  // Tokens, messages, logs and state are the owner's alone, whatever the caller's umask.
  process.umask(0o077);
  const logger = createLogger(name);
  let handle: AppHandle;
  try {
    const config = loadConfig();
    forgetTokenVariable();
    ensureOwnHome(config.home);
    handle = factory(config, logger);
  } catch (error) {
    logger.error(`${name} cannot start: ${isCmuxError(error) ? error.message : String(error)}`);
    process.exit(1);
  }
  const stop = once(async () => {
    logger.info(`${name} stopping`);
    try {
      await handle.stop();
      logger.info(`${name} stopped`);
    } catch (error) {
      logger.error(`${name} did not stop cleanly`, { error });
      process.exitCode = 1;
    }
    // Everything the app holds is closed; PM2's IPC channel would keep the loop alive, and
    // stdout/stderr are synchronous on pipes and files, so nothing logged is lost.
    process.exit();
  });
  const onSignal = (signal: string) => {
    logger.info(`${name} received ${signal}`);
    void stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('message', (message) => {
    if (message === 'shutdown') onSignal('shutdown message');
  });
  process.on('uncaughtException', (error) => {
    logger.error(`${name} crashed: uncaught exception`, { error });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error(`${name} crashed: unhandled rejection`, { error: reason });
    process.exit(1);
  });

  try {
    await handle.start();
  } catch (error) {
    logger.error(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    await stop();
    return;
  }
  logger.info(`${name} ready`, { pid: process.pid, node: process.version, execArgv: process.execArgv });
  process.send?.('ready');
}
