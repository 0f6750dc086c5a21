import type { Logger } from '../log/index.js';

export interface Schedule {
  // Runs the job now (or joins the run under way).
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

// Runs `job` every `seconds`: a one-second tick that starts the job when the interval has
// passed since the last run began, and runs never overlap. A plain timer, not node-cron: its
// every-second tick formats the date through Intl.DateTimeFormat, which costs each app that
// schedules about 6 MB of ICU data and time-zone tables (measured with the footprint bench).
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
  // The tick only starts the job (runNow keeps runs from overlapping), and a tick missed while
  // the event loop was busy (a long scan) is harmless.
  const tick = setInterval(() => {
    if (Date.now() - lastStart >= seconds * 1000) void runNow();
  }, 1_000);
  return {
    runNow,
    async stop() {
      clearInterval(tick);
      await running;
    },
  };
}
