import cron from 'node-cron';
import type { Logger } from '../log/index.js';

export interface Schedule {
  // Runs the job now (or joins the run under way).
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

// Runs `job` every `seconds` on node-cron: a one-second tick that starts the job when the
// interval has passed since the last run began, so any interval works (cron expressions only
// divide minutes), and runs never overlap.
export function scheduleEvery(name: string, seconds: number, job: () => Promise<void>, logger: Logger): Schedule {
  let lastStart = 0;
  let running: Promise<void> | undefined;
  const runNow = () => {
    running ??= (async () => {
      lastStart = Date.now();
      try {
        await job();
      } catch (error) {
        logger.error(`${name} failed: ${(error as Error).message}`, { error });
      }
    })().finally(() => (running = undefined));
    return running;
  };
  // The tick only starts the job (runNow keeps runs from overlapping): a tick that waited for a
  // long job made node-cron print an overlap warning every second into the app's log, and a
  // tick missed while the event loop was busy (a long scan) is harmless, so it is not reported.
  const task = cron.createTask(
    '* * * * * *',
    () => {
      if (Date.now() - lastStart >= seconds * 1000) void runNow();
    },
    { name, suppressMissedWarning: true },
  );
  void task.start();
  return {
    runNow,
    async stop() {
      await task.stop();
      await task.destroy();
      await running;
    },
  };
}
