import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { findListeners, isAlive } from '../apps/core/src/index.ts';
import { cleanEnv, createInstance, processesMentioning, ROOT, type TestInstance } from '../test/helpers/instance.ts';
import { killFixture, spawnFixture } from '../test/helpers/spawn-fixture.ts';
import { wsRecorder } from '../test/helpers/ws-recorder.ts';
import { median, type BenchRow } from './report.ts';

const RUNS = 3;
// The healthy stop against PM2 alone is a ratio of two sub-second figures on a shared machine:
// more pairs, taken in turn, so that a busy moment moves the medians less.
const PAIRS = 5;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function startEcosystem(cmux: TestInstance): Promise<void> {
  const start = await cmux.cli(['start']);
  if (start.exitCode !== 0) throw new Error(`start failed: ${String(start.stderr)}`);
}

// What a person does by hand without `cmux stop`: delete the apps, kill the tmux server, kill PM2.
async function manualStop(cmux: TestInstance): Promise<void> {
  const pm2 = join(ROOT, 'node_modules', '.bin', 'pm2');
  const opts = { env: cmux.env, extendEnv: false, reject: false, timeout: 60_000 } as const;
  await execa(pm2, ['delete', 'all'], opts);
  await execa('tmux', ['-S', cmux.socket, 'kill-server'], opts);
  await execa(pm2, ['kill'], opts);
}

// The seed plan's loop: SIGTERM, then check the port once a second for up to 5 s, then SIGKILL.
async function seedPlanKill(port: number): Promise<void> {
  for (const pid of await findListeners(port)) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 5 && (await findListeners(port)).length > 0; i++) await sleep(1_000);
  for (const pid of await findListeners(port)) process.kill(pid, 'SIGKILL');
  while ((await findListeners(port)).length > 0) await sleep(50);
}

// `cmux stop` on a healthy ecosystem and on a leftover server that ignores SIGTERM.
export async function benchStop(log: (line: string) => void): Promise<BenchRow[]> {
  const cmux = await createInstance();
  try {
    const ours: number[] = [];
    const manual: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      await startEcosystem(cmux);
      ours.push(await timed(() => cmux.cli(['stop'])));
      await startEcosystem(cmux);
      manual.push(await timed(() => manualStop(cmux)));
      log(`stop, healthy apps: run ${i + 1}/${PAIRS}: cmux ${ours.at(-1)!.toFixed(0)} ms, manual ${manual.at(-1)!.toFixed(0)} ms`);
    }

    // The same stop while a raw TCP client that sends nothing and a dashboard's WebSocket are
    // connected to the server.
    const connected: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await startEcosystem(cmux);
      const client = await spawnFixture('hold-connection.mjs', [String(cmux.port)], { readyLine: 'connected' });
      const token = readFileSync(join(cmux.home, 'token'), 'utf8').trim();
      const dashboard = wsRecorder(() => `ws://127.0.0.1:${cmux.port}/api/ws?token=${token}`);
      try {
        await dashboard.open();
        connected.push(await timed(() => cmux.cli(['stop'])));
        const left = processesMentioning(cmux.base);
        if (left.length > 0) throw new Error(`cmux stop left ${left.map((p) => p.command).join('; ')}`);
      } finally {
        dashboard.close();
        await killFixture(client);
      }
      log(`stop, idle TCP client + WebSocket: run ${i + 1}/${RUNS}: ${connected.at(-1)!.toFixed(0)} ms`);
    }

    const stubbornOurs: number[] = [];
    const stubbornSeed: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      for (const [list, stop] of [
        [stubbornOurs, () => cmux.cli(['stop'])],
        [stubbornSeed, () => seedPlanKill(cmux.port)],
      ] as const) {
        const child = await spawnFixture('stubborn-server.mjs', [String(cmux.port)], {
          env: { ...cleanEnv(), CMUX_HOME: cmux.home },
          readyLine: 'listening',
        });
        list.push(await timed(stop));
        if (isAlive(child.pid!)) throw new Error('the stubborn server survived');
        await killFixture(child);
      }
      log(`stop, stubborn server: run ${i + 1}/${RUNS}: cmux ${stubbornOurs.at(-1)!.toFixed(0)} ms, seed loop ${stubbornSeed.at(-1)!.toFixed(0)} ms`);
    }
    const length = `median of ${RUNS}`;
    return [
      {
        area: 'stop',
        name: '`cmux stop`, four healthy apps + tmux + PM2 daemon',
        length: `median of ${PAIRS}, taken in turn`,
        unit: 'ms',
        value: median(ours),
        baseline: median(manual),
        baselineName: '`pm2 delete all` + `tmux kill-server` + `pm2 kill`',
        budget: { on: 'ratio', max: 1.05 },
      },
      {
        area: 'stop',
        name: '`cmux stop` with an idle raw TCP client and an open dashboard WebSocket',
        length,
        unit: 'ms',
        value: median(connected),
        baseline: median(ours),
        baselineName: '`cmux stop` with nothing connected',
        budget: { on: 'value', max: 3_000 },
        note: 'nothing left (checked after each run)',
      },
      {
        area: 'stop',
        name: '`cmux stop`, leftover server ignoring SIGTERM',
        length,
        unit: 'ms',
        value: median(stubbornOurs),
        baseline: median(stubbornSeed),
        baselineName: "seed plan's SIGTERM + 1 s polls + SIGKILL",
        note: 'cmux polls every 5 ms within a 2 s grace',
      },
    ];
  } finally {
    await cmux.cleanup();
  }
}
