import type { AppStatus } from '../../core/src/pm2/index.js';

// One reading of an app: its memory (bytes; null while it is not running) and restart count.
export interface AppSample {
  at: string;
  memory: number | null;
  restarts: number;
}

export interface AppSamples {
  intervalMs: number;
  windowMs: number;
  apps: Record<string, AppSample[]>;
}

const HOUR_MS = 60 * 60 * 1000;
const EVERY_MS = 30 * 1000;

// The apps' memory and restarts over the last hour, one reading every 30 s at most (the system
// monitor offers one at each of its polls): in memory, at most 120 readings an app.
export function createAppSamples(windowMs = HOUR_MS, intervalMs = EVERY_MS) {
  const apps = new Map<string, AppSample[]>();
  let last = Number.NEGATIVE_INFINITY;
  return {
    offer(list: readonly AppStatus[], now = Date.now()): void {
      if (now - last < intervalMs) return;
      last = now;
      const at = new Date(now).toISOString();
      const since = new Date(now - windowMs).toISOString();
      for (const app of list) {
        const kept = (apps.get(app.name) ?? []).filter((s) => s.at > since);
        kept.push({ at, memory: app.memory, restarts: app.restarts });
        apps.set(app.name, kept);
      }
    },
    read(): AppSamples {
      return { intervalMs, windowMs, apps: Object.fromEntries(apps) };
    },
  };
}
