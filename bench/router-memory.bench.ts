import { setTimeout as sleep } from 'node:timers/promises';
import { appendMessage, APP_NAMES, openHistory } from '../apps/core/src/index.ts';
import { createInstance } from '../test/helpers/instance.ts';
import { appProcesses, rssMb } from './footprint.bench.ts';
import { median, type BenchRow } from './report.ts';

const PER_MINUTE = 2_000;
const SAMPLE_EVERY_MS = 5_000;
const SETTLE_MS = 10_000;
const BUDGET_MB = 150;
// Flat: over the second half of the run, the router grows by less than this (least-squares
// slope of its samples). Judged on a long run only: half a minute of a garbage collector's
// sawtooth shows no trend either way.
const FLAT_MB_PER_MINUTE = 1;
const FLAT_JUDGED_FROM_MINUTES = 10;
// One message in ten goes to a worker (typed into `cat`), the rest to the user.
const TO_WORKER_EVERY = 10;

// The least-squares slope of RSS over time, in MB a minute: one sample taken just before or
// after a garbage collection moves it little, unlike the difference of the first and last.
function slope(samples: ReadonlyArray<readonly [number, number]>): number {
  const n = samples.length;
  const meanX = samples.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = samples.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = samples.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = samples.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}

// What is missing when the load's messages are not all stored and delivered: counts, and the
// first undelivered message's status and detail (the history's own word on why).
function undelivered(history: ReturnType<typeof openHistory>, ids: readonly string[], toWorker: readonly string[]): string {
  const missing = ids.filter((id) => !history.get(id)).length;
  const stuck = toWorker.map((id) => history.get(id)).filter((m) => m && m.status !== 'delivered');
  const first = stuck[0];
  return `${missing} of ${ids.length} not stored; ${stuck.length} of ${toWorker.length} to the worker not delivered${first ? ` (first: ${first.status}${first.detail ? `, ${first.detail}` : ''})` : ''}`;
}

// The router of a started cmux (its PM2 app, with its node args) while 2 000 messages a minute
// are appended through the mailbox: its RSS sampled every 5 s, against its own RSS before the
// load (same process, same run), for `minutes` (the table has a 1-minute and a 15-minute area).
// Every message must be stored, and every one to the worker delivered, by the end.
export async function benchRouterMemory(log: (line: string) => void, area: string, minutes: number): Promise<BenchRow[]> {
  const cmux = await createInstance();
  try {
    const start = await cmux.cli(['start']);
    if (start.exitCode !== 0) throw new Error(`start failed: ${String(start.stderr)}`);
    const spawn = await cmux.cli(['spawn', 'sink', '--command', 'cat']);
    if (spawn.exitCode !== 0) throw new Error(`spawn failed: ${String(spawn.stderr)}`);
    const router = appProcesses(cmux).find((a) => a.name === APP_NAMES.router)!;
    await sleep(SETTLE_MS);
    const idle = rssMb(router.pid);
    const samples: Array<[number, number]> = [];
    const ids: string[] = [];
    const toWorker: string[] = [];
    const started = Date.now();
    const total = Math.round(PER_MINUTE * minutes);
    let nextSample = started;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 60_000) / PER_MINUTE;
      if (due > Date.now()) await sleep(due - Date.now());
      const to = i % TO_WORKER_EVERY === 0 ? 'sink' : 'user';
      const message = await appendMessage(cmux.home, { from: 'bench', to, subject: `load ${i} ${'x'.repeat(60)}`, body: `body of ${i} ${'y'.repeat(200)}` });
      ids.push(message.id);
      if (to === 'sink') toWorker.push(message.id);
      if (Date.now() >= nextSample) {
        samples.push([(Date.now() - started) / 60_000, rssMb(router.pid)]);
        nextSample += SAMPLE_EVERY_MS;
      }
    }
    const history = openHistory(cmux.home, { readonly: true });
    try {
      const deadline = Date.now() + 120_000;
      while (ids.some((id) => !history.get(id)) || toWorker.some((id) => history.get(id)?.status !== 'delivered')) {
        if (Date.now() > deadline) throw new Error(`within 2 minutes of the last message: ${undelivered(history, ids, toWorker)}`);
        await sleep(500);
      }
    } finally {
      history.close();
    }
    samples.push([(Date.now() - started) / 60_000, rssMb(router.pid)]);
    if (samples.at(-1)![1] === 0) throw new Error('the router died under the load');
    const second = samples.filter(([minute]) => minute >= minutes / 2);
    const end = median(second.slice(-3).map(([, mb]) => mb));
    const peak = Math.max(...samples.map(([, mb]) => mb));
    const growth = slope(second);
    log(`router-memory: ${total} messages in ${minutes} min; RSS idle ${idle.toFixed(0)} MB, end ${end.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, second half ${growth.toFixed(1)} MB/min (least-squares slope)`);
    log(`router-memory: samples ${samples.map(([m, mb]) => `${m.toFixed(1)}:${mb.toFixed(0)}`).join(' ')}`);
    const load = `${PER_MINUTE} messages a minute (one in ${TO_WORKER_EVERY} typed into a worker)`;
    return [
      {
        area,
        name: `router RSS at the end of ${load}`,
        length: `${minutes} min`,
        unit: 'MB',
        value: end,
        baseline: idle,
        baselineName: 'the same router idle before the load',
        budget: { on: 'value', max: BUDGET_MB },
        note: `peak ${peak.toFixed(0)} MB; second half ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB/min`,
      },
      ...(minutes >= FLAT_JUDGED_FROM_MINUTES
        ? [
            {
              area,
              name: `router RSS growth over the second half of ${load}`,
              length: `${minutes} min`,
              unit: 'MB/min',
              value: growth,
              baseline: null,
              baselineName: 'flat: the least-squares slope of its samples',
              budget: { on: 'value', max: FLAT_MB_PER_MINUTE },
            } satisfies BenchRow,
          ]
        : []),
    ];
  } finally {
    await cmux.cleanup();
  }
}
