import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAgent, startAgent } from '../apps/agents/index.ts';
import { appendMessage, createLogger, homePaths, openHistory, shellQuote, type CmuxConfig, type MailboxMessage } from '../apps/core/src/index.ts';
import { readNewLines } from '../apps/router/mailbox-reader.ts';
import { createRouter } from '../apps/router/router.ts';
import { agentHarness } from '../test/helpers/agents.ts';
import { machineLoad, percentile, type BenchRow } from './report.ts';
import { TYPED_P50_BUDGET_MS, TYPED_P99_BUDGET_MS, warmUpTyping } from './typing.bench.ts';

const RATE_PER_S = 20;
const STEADY_MESSAGES = 100;
const AGENT_MESSAGES = 40;
const BURST = 10_000;
const BASELINE_POLL_MS = 2_000;

// The original router: every 2 s, read the new lines and store them (then type agent ones).
function startBaseline(config: CmuxConfig, onMessage: (m: MailboxMessage) => Promise<void>) {
  const history = openHistory(config.home);
  let cursor = { inode: 0, offset: 0 };
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const result = readNewLines(config.home, homePaths(config.home).mailbox, cursor);
    cursor = result.cursor;
    for (const line of result.lines) {
      if (line.kind !== 'line') continue;
      const message = JSON.parse(line.text) as MailboxMessage;
      history.insert(message, 'delivered');
      await onMessage(message);
    }
    busy = false;
  }, BASELINE_POLL_MS);
  return { history, stop: () => (clearInterval(timer), history.close()) };
}

async function steady(config: CmuxConfig, to: string, count: number, onSent: (m: MailboxMessage) => void = () => undefined): Promise<MailboxMessage[]> {
  const sent: MailboxMessage[] = [];
  for (let i = 0; i < count; i++) {
    const message = await appendMessage(config.home, { from: 'bench', to, subject: `steady ${to} ${i} ${'p'.repeat(20)}` });
    sent.push(message);
    onSent(message);
    await sleep(1000 / RATE_PER_S);
  }
  return sent;
}

async function latencies(config: CmuxConfig, sent: readonly MailboxMessage[], field: 'storedAt' | 'deliveredAt', timeoutMs = 60_000): Promise<number[]> {
  const history = openHistory(config.home);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = sent.map((m) => history.get(m.id));
      if (rows.every((r) => r?.[field])) return rows.map((r, i) => Date.parse(r![field]!) - Date.parse(sent[i]!.ts));
      if (Date.now() > deadline) throw new Error(`not all ${sent.length} messages reached ${field}`);
      await sleep(50);
    }
  } finally {
    history.close();
  }
}

// Append → delivered latency at 20 messages a second, and a 10 000-message burst, for the
// real router and for the original's 2 s poll loop, in the same run; typing into an agent also
// for the router on a tmux client that spawns tmux for every call (tmux.controlMode: false).
export async function benchMailbox(log: (line: string) => void): Promise<BenchRow[]> {
  const quiet = createLogger('bench', { out: { write: () => true } as never, err: process.stderr });
  const run = async (kind: 'cmux' | 'spawn-per-call' | 'baseline') => {
    const harness = agentHarness({}, kind === 'spawn-per-call' ? { userConfig: 'tmux:\n  controlMode: false\n' } : {});
    const { config } = harness.deps;
    const catFile = join(harness.base, 'cat.out');
    const agent = await createAgent(harness.deps, { name: 'catter', command: `cat > ${shellQuote(catFile)}`, cwd: harness.base, createdBy: 'bench' });
    await startAgent(harness.deps, agent);
    const typedAt = new Map<string, number>();
    let stop: () => unknown;
    if (kind === 'baseline') {
      const baseline = startBaseline(config, async (m) => {
        if (m.to !== 'catter') return;
        await harness.deps.tmux.sendText(agent.windowId, `[${m.from}] ${m.subject}`);
        await sleep(100);
        await harness.deps.tmux.sendKeys(agent.windowId, 'Enter');
      });
      stop = baseline.stop;
    } else {
      const router = createRouter(config, quiet);
      await router.start();
      stop = () => router.stop();
    }
    try {
      const toUser = kind === 'spawn-per-call' ? [] : await latencies(config, await steady(config, 'user', STEADY_MESSAGES), 'storedAt');
      // Typing starts warm, as in a router that has been running: its first messages load what
      // typing needs (and the connection is up).
      await warmUpTyping(config.home, catFile);
      // The agent latency is when the line is in cat's file, the same end point for all, read
      // while the messages are being sent.
      let toAgentSent: MailboxMessage[] = [];
      let sending = true;
      const sender = steady(config, 'catter', AGENT_MESSAGES, (m) => toAgentSent.push(m)).finally(() => (sending = false));
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && (sending || toAgentSent.some((m) => !typedAt.has(m.id)))) {
        const text = existsSync(catFile) ? readFileSync(catFile, 'utf8') : '';
        for (const m of toAgentSent) if (!typedAt.has(m.id) && text.includes(`${m.subject}\n`)) typedAt.set(m.id, Date.now());
        await sleep(5);
      }
      toAgentSent = await sender;
      const missing = toAgentSent.filter((m) => !typedAt.has(m.id));
      if (missing.length > 0) throw new Error(`mailbox ${kind}: ${missing.length} of ${toAgentSent.length} messages never reached the agent`);
      const toAgent = toAgentSent.map((m) => typedAt.get(m.id)! - Date.parse(m.ts));
      log(`mailbox ${kind}: agent p50 ${percentile(toAgent, 50)} p99 ${percentile(toAgent, 99)} ms`);
      if (kind === 'spawn-per-call') return { toUser, toAgent, burstMs: 0, appendMs: 0 };
      const burstStart = Date.now();
      const burst: MailboxMessage[] = [];
      for (let i = 0; i < BURST; i++) burst.push(await appendMessage(config.home, { from: 'burst', to: 'user', subject: `burst ${i}` }));
      const lastAppended = Date.now();
      const appendMs = lastAppended - burstStart;
      // From the last append to the moment the last of the burst was stored (every one of them;
      // waiting on the last one alone, so the waiting takes little from the router).
      await latencies(config, burst.slice(-1), 'storedAt', 120_000);
      const stored = await latencies(config, burst, 'storedAt', 120_000);
      const burstMs = Math.max(...stored.map((ms, i) => Date.parse(burst[i]!.ts) + ms)) - lastAppended;
      log(`mailbox ${kind}: user p50 ${percentile(toUser, 50)} p99 ${percentile(toUser, 99)} ms; burst: all stored ${burstMs} ms after the last append (appending ${appendMs} ms)`);
      return { toUser, toAgent, burstMs, appendMs };
    } finally {
      await stop();
      await harness.cleanup();
    }
  };
  const ours = await run('cmux');
  const spawned = await run('spawn-per-call');
  const base = await run('baseline');
  const original = (p: number) => `the original's 2 s poll loop + send-keys, 100 ms pause, Enter: ${percentile(base.toAgent, p)} ms; ${machineLoad()}`;
  const toUser = { area: 'mailbox', length: `${STEADY_MESSAGES} messages`, unit: 'ms', baselineName: 'original 2 s poll loop' } as const;
  const toAgent = { area: 'mailbox', length: `${AGENT_MESSAGES} messages`, unit: 'ms', baselineName: 'the same router, a tmux process per tmux call' } as const;
  return [
    { ...toUser, name: `append → stored for \`user\`, p50 at ${RATE_PER_S} msg/s`, value: percentile(ours.toUser, 50), baseline: percentile(base.toUser, 50), budget: { on: 'value', max: 25 } },
    { ...toUser, name: `append → stored for \`user\`, p99 at ${RATE_PER_S} msg/s`, value: percentile(ours.toUser, 99), baseline: percentile(base.toUser, 99), budget: { on: 'value', max: 150 } },
    { ...toAgent, name: `append → typed into an agent (cat), p50 at ${RATE_PER_S} msg/s`, value: percentile(ours.toAgent, 50), baseline: percentile(spawned.toAgent, 50), budget: { on: 'value', max: TYPED_P50_BUDGET_MS }, note: original(50) },
    { ...toAgent, name: `append → typed into an agent (cat), p99 at ${RATE_PER_S} msg/s`, value: percentile(ours.toAgent, 99), baseline: percentile(spawned.toAgent, 99), budget: { on: 'value', max: TYPED_P99_BUDGET_MS }, note: original(99) },
    { area: 'mailbox', name: `burst of ${BURST} messages: last append → all stored`, length: `${BURST} messages, once`, unit: 'ms', value: ours.burstMs, baseline: base.burstMs, baselineName: 'original 2 s poll loop', budget: { on: 'value', max: 2_500 }, note: `appending the ${BURST} took ${(ours.appendMs / 1000).toFixed(1)} s` },
  ];
}

