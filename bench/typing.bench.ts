import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAgent, startAgent } from '../apps/agents/index.ts';
import { appendMessage, createLogger, shellQuote, type MailboxMessage } from '../apps/core/src/index.ts';
import { createRouter } from '../apps/router/router.ts';
import { agentHarness } from '../test/helpers/agents.ts';
import { tmuxCommand } from '../test/helpers/tmux.ts';
import { rssMb } from './footprint.bench.ts';
import { machineLoad, percentile, type BenchRow } from './report.ts';

const RATE_PER_S = 20;
// Typing into an agent at 20 messages a second, append → typed (issue 31).
export const TYPED_P50_BUDGET_MS = 50;
export const TYPED_P99_BUDGET_MS = 250;
// A message still untyped this long after the last one was sent is a backlog.
const BACKLOG_AFTER_MS = 1_000;
// What the tmux server may grow by over a run. tmux 3.3a keeps every capture it answers a
// control client with: before cmux captured through a buffer, it grew by 13 MB in the 30 s run
// and by 160 MB in the first 100 s of the 5-minute one (0.6 MB in 30 s since).
const TMUX_GROWTH_BUDGET_MB = 5;

// The lines appended to `file` since `offset`, and where they end.
function newLines(file: string, offset: number): { lines: string[]; offset: number } {
  if (!existsSync(file)) return { lines: [], offset };
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let text = '';
    for (let read = readSync(fd, chunk, 0, chunk.length, offset); read > 0; read = readSync(fd, chunk, 0, chunk.length, offset)) {
      text += chunk.toString('utf8', 0, read);
      offset += read;
    }
    const end = text.lastIndexOf('\n') + 1;
    return { lines: text.slice(0, end).split('\n').filter(Boolean), offset: offset - Buffer.byteLength(text.slice(end)) };
  } finally {
    closeSync(fd);
  }
}

// A few messages typed into `catter` (writing `file`) before a measurement, as by a router that
// has been running: its first messages load what typing needs, and its tmux connection is up.
export async function warmUpTyping(home: string, file: string): Promise<void> {
  for (let i = 0; i < 3; i++) await appendMessage(home, { from: 'bench', to: 'catter', subject: `warm-up ${i}` });
  const deadline = Date.now() + 60_000;
  while (!newLines(file, 0).lines.includes('[bench] warm-up 2')) {
    if (Date.now() > deadline) throw new Error('the warm-up messages never reached the agent');
    await sleep(20);
  }
}

// 20 messages a second into one agent (cat) through the real router for `seconds`: append →
// typed (the line in cat's file) over the whole run, whether the last fifth is slower than the
// first (a backlog that grows), and what is still untyped a second after the last was sent.
export function benchSustainedTyping(area: string, seconds: number) {
  return async (log: (line: string) => void): Promise<BenchRow[]> => {
    const quiet = createLogger('bench', { out: { write: () => true } as never, err: process.stderr });
    const harness = agentHarness();
    const file = join(harness.base, 'cat.out');
    const agent = await createAgent(harness.deps, { name: 'catter', command: `cat > ${shellQuote(file)}`, cwd: harness.base, createdBy: 'bench' });
    await startAgent(harness.deps, agent);
    const router = createRouter(harness.deps.config, quiet);
    await router.start();
    try {
      await warmUpTyping(harness.deps.config.home, file);
      const tmuxPid = Number((await tmuxCommand(harness.deps.config.tmux.socket, ['display-message', '-p', '#{pid}'])).trim());
      const tmuxBefore = rssMb(tmuxPid);
      const sent = new Map<string, MailboxMessage>();
      const typedAt = new Map<string, number>();
      let sending = true;
      const total = seconds * RATE_PER_S;
      const sender = (async () => {
        const started = Date.now();
        for (let i = 0; i < total; i++) {
          const message = await appendMessage(harness.deps.config.home, { from: 'bench', to: 'catter', subject: `sustained ${i} ${'p'.repeat(20)}` });
          sent.set(`[bench] ${message.subject}`, message);
          // On schedule: a slow append does not lower the rate.
          await sleep(Math.max(0, started + ((i + 1) * 1000) / RATE_PER_S - Date.now()));
        }
        sending = false;
        return Date.now();
      })();
      let offset = newLines(file, 0).offset;
      let lastSent = Number.POSITIVE_INFINITY;
      void sender.then((at) => (lastSent = at));
      while (sending || (typedAt.size < total && Date.now() < lastSent + 30_000)) {
        const read = newLines(file, offset);
        offset = read.offset;
        for (const line of read.lines) {
          const message = sent.get(line);
          if (message && !typedAt.has(message.id)) typedAt.set(message.id, Date.now());
        }
        await sleep(10);
      }
      const tmuxAfter = rssMb(tmuxPid);
      const messages = [...sent.values()];
      const missing = messages.filter((m) => !typedAt.has(m.id));
      if (missing.length > 0) throw new Error(`${area}: ${missing.length} of ${messages.length} messages never reached the agent`);
      const latency = messages.map((m) => typedAt.get(m.id)! - Date.parse(m.ts));
      const fifth = Math.max(1, Math.floor(latency.length / 5));
      const first = latency.slice(0, fifth);
      const last = latency.slice(-fifth);
      const backlog = messages.filter((m) => typedAt.get(m.id)! > lastSent + BACKLOG_AFTER_MS).length;
      log(`${area}: ${messages.length} messages in ${seconds} s: p50 ${percentile(latency, 50)} p99 ${percentile(latency, 99)} max ${Math.max(...latency)} ms; p99 first fifth ${percentile(first, 99)}, last fifth ${percentile(last, 99)} ms; backlog ${backlog}; tmux server ${tmuxBefore.toFixed(1)} → ${tmuxAfter.toFixed(1)} MB`);
      const name = `${RATE_PER_S} msg/s into one agent (cat)`;
      const row = { area, length: `${seconds} s, ${messages.length} messages`, note: machineLoad() } as const;
      return [
        { ...row, name: `${name}: append → typed, p50`, unit: 'ms', value: percentile(latency, 50), baseline: null, baselineName: 'a budget only: `mailbox` has the spawned-tmux baseline', budget: { on: 'value', max: TYPED_P50_BUDGET_MS } },
        { ...row, name: `${name}: append → typed, p99`, unit: 'ms', value: percentile(latency, 99), baseline: null, baselineName: `max ${Math.max(...latency)} ms`, budget: { on: 'value', max: TYPED_P99_BUDGET_MS } },
        { ...row, name: `${name}: append → typed, p99 of the last fifth`, unit: 'ms', value: percentile(last, 99), baseline: percentile(first, 99), baselineName: 'p99 of the first fifth (a backlog would grow)', budget: { on: 'value', max: TYPED_P99_BUDGET_MS } },
        { ...row, name: `${name}: the tmux server's RSS at the end`, unit: 'MB', value: tmuxAfter, baseline: tmuxBefore, baselineName: 'its RSS when the run began', budget: { on: 'excess', max: TMUX_GROWTH_BUDGET_MB } },
        { ...row, name: `${name}: messages still untyped ${BACKLOG_AFTER_MS / 1000} s after the last was sent`, unit: 'msgs', value: backlog, baseline: null, baselineName: 'none may be', budget: { on: 'value', max: 0 } },
      ];
    } finally {
      await router.stop();
      await harness.cleanup();
    }
  };
}
