import { mkdirSync, statfsSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { appendToHomeFile } from '../core/src/fs/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { listAppStatus } from '../core/src/pm2/index.js';

export interface MetricsSample {
  ts: string;
  loadAverage: number[];
  cpuPercent: number | null;
  memory: { totalBytes: number; freeBytes: number; usedPercent: number };
  disk: { path: string; totalBytes: number; freeBytes: number; usedPercent: number };
  agents: number;
  restarts: Record<string, number>;
}

interface CpuTimes {
  idle: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    idle += cpu.times.idle;
    total += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq + cpu.times.idle;
  }
  return { idle, total };
}

// Takes one health sample with portable Node APIs (os, statfs; no `top`), CPU use measured
// since the previous sample.
export function createSampler(home: string) {
  let previous = cpuTimes();
  return async (agents: number): Promise<MetricsSample> => {
    const now = cpuTimes();
    const total = now.total - previous.total;
    const cpuPercent = total > 0 ? Math.round((1 - (now.idle - previous.idle) / total) * 1000) / 10 : null;
    previous = now;
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const fs = statfsSync(home);
    const diskTotal = fs.blocks * fs.bsize;
    const diskFree = fs.bavail * fs.bsize;
    const apps = await listAppStatus(home).catch(() => []);
    return {
      ts: new Date().toISOString(),
      loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
      cpuPercent,
      memory: { totalBytes: totalmem(), freeBytes: freemem(), usedPercent: Math.round((1 - freemem() / totalmem()) * 1000) / 10 },
      disk: { path: home, totalBytes: diskTotal, freeBytes: diskFree, usedPercent: diskTotal > 0 ? Math.round((1 - diskFree / diskTotal) * 1000) / 10 : 0 },
      agents,
      restarts: Object.fromEntries(apps.map((a) => [a.name, a.restarts])),
    };
  };
}

// Appends a sample to metrics/YYYY-MM-DD.jsonl.
export function recordSample(home: string, sample: MetricsSample): void {
  appendToHomeFile(home, join(homePaths(home).metrics, `${sample.ts.slice(0, 10)}.jsonl`), `${JSON.stringify(sample)}\n`);
}
