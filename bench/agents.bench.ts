import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAgent, sendToAgent, startAgent } from '../apps/agents/index.ts';
import { shellQuote } from '../apps/core/src/index.ts';
import { listAgentWindows, createAgentWindow } from '../apps/registry/index.ts';
import { agentHarness } from '../test/helpers/agents.ts';
import { tmuxCommand } from '../test/helpers/tmux.ts';
import { apiServer } from './api-server.ts';
import { median, type BenchRow } from './report.ts';

const AGENTS = 100;
const LIST_RUNS = 30;

async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

async function waitForFile(file: string, length: number): Promise<void> {
  while (!existsSync(file) || readFileSync(file).length < length) await sleep(2);
}

// Listing 100 agents with one tmux call, and typing into an agent, against the original's ways.
export async function benchAgents(log: (line: string) => void): Promise<BenchRow[]> {
  const harness = agentHarness();
  const { deps } = harness;
  try {
    for (let i = 0; i < AGENTS; i++) {
      await createAgentWindow(deps, {
        name: `a${i}`,
        role: 'worker',
        command: 'cat',
        launch: 'cat',
        cwd: harness.base,
        createdBy: 'bench',
        kind: 'generic',
        agentEnv: {},
        env: {},
      });
    }
    log(`agents: ${AGENTS} windows registered`);
    const ours = await timeRuns(LIST_RUNS, () => listAgentWindows(deps));
    const { agents } = await listAgentWindows(deps);
    // The original's ways run tmux by hand: the client offers named operations only.
    const tmux = (args: string[]) => tmuxCommand(deps.config.tmux.socket, args);
    const listOne = (agent: { session: string; windowId: string }) =>
      tmux(['list-windows', '-t', `=${agent.session}`, '-f', `#{==:#{window_id},${agent.windowId}}`, '-F', '#{window_id} #{window_name} #{pane_dead}']);
    const perAgent = await timeRuns(LIST_RUNS, async () => {
      for (const { agent } of agents) await listOne(agent);
    });
    // GET /api/agents over HTTP from a server whose status monitor runs as in cmux-server,
    // against the same listing done the original's way: a list-windows and a capture-pane per
    // agent, one agent after another, at every request.
    const api = await apiServer(deps);
    let withStatus: number;
    let readingPerRequest: number;
    try {
      const listed = await api.get<Array<{ status: string }>>('/api/agents');
      if (listed.length !== AGENTS || listed.some((a) => a.status === 'missing' || a.status === 'exited')) throw new Error(`GET /api/agents listed ${listed.length} agents: ${listed.map((a) => a.status).join(' ')}`);
      withStatus = await timeRuns(LIST_RUNS, () => api.get('/api/agents'));
      // What each request cost before the monitor kept the status: a full reading per request.
      readingPerRequest = await timeRuns(10, () => api.monitor.refresh());
    } finally {
      await api.close();
    }
    const perAgentWithStatus = await timeRuns(10, async () => {
      for (const { agent } of agents) {
        await listOne(agent);
        await deps.tmux.capturePane(agent.windowId);
      }
    });
    log(`agents: list ${ours.toFixed(1)} ms (per agent ${perAgent.toFixed(1)} ms), GET /api/agents with status ${withStatus.toFixed(1)} ms (a reading per request ${readingPerRequest.toFixed(1)} ms, per agent ${perAgentWithStatus.toFixed(1)} ms)`);

    const file = join(harness.base, 'typed.out');
    const agent = await createAgent(deps, { name: 'typist', command: `cat > ${shellQuote(file)}`, cwd: harness.base, createdBy: 'bench' });
    await startAgent(deps, agent);
    const deliver = async (text: string, how: (text: string) => Promise<unknown>) => {
      rmSync(file, { force: true });
      await tmux(['respawn-pane', '-k', '-t', agent.windowId, `cat > ${shellQuote(file)}`]);
      await sleep(100);
      const started = performance.now();
      await how(text);
      await waitForFile(file, Buffer.byteLength(text) + 1);
      return performance.now() - started;
    };
    // The original: send-keys, a fixed pause (100 ms typed, 500 ms pasted), then Enter.
    const original = async (text: string) => {
      if (text.length <= 4096 && !text.includes('\n')) {
        await deps.tmux.sendText(agent.windowId, text);
        await sleep(100);
      } else {
        const temp = join(harness.base, 'message.tmp');
        writeFileSync(temp, text);
        await tmux(['load-buffer', '-b', 'cmux-msg', temp]);
        await tmux(['paste-buffer', '-d', '-b', 'cmux-msg', '-t', agent.windowId]);
        await sleep(500);
      }
      await deps.tmux.sendKeys(agent.windowId, 'Enter');
    };
    const oneLine = 'please review the parser change and report back';
    const big = Array.from({ length: 1300 }, (_, i) => `${i} ${'x'.repeat(72)}`).join('\n');
    const sample = async (text: string, runs: number) => {
      const cmuxTimes: number[] = [];
      const originalTimes: number[] = [];
      for (let i = 0; i < runs; i++) {
        cmuxTimes.push(await deliver(text, (t) => sendToAgent(deps, 'typist', t, 'user')));
        originalTimes.push(await deliver(text, original));
      }
      return { cmux: median(cmuxTimes), original: median(originalTimes) };
    };
    const line = await sample(oneLine, 15);
    const large = await sample(big, 5);
    log(`agents: delivery one line ${line.cmux.toFixed(1)} ms (original ${line.original.toFixed(1)}), 100 KB ${large.cmux.toFixed(1)} ms (original ${large.original.toFixed(1)})`);
    return [
      {
        area: 'agents',
        name: `GET /api/agents for ${AGENTS} agents with status, over HTTP`,
        length: `p50 of ${LIST_RUNS}`,
        unit: 'ms',
        value: withStatus,
        baseline: perAgentWithStatus,
        baselineName: 'a list-windows and a capture-pane per agent, in turn, per request',
        budget: { on: 'value', max: 15 },
        note: `the monitor captures each pane once a second and the route reads memory; a full reading per request (before) ${readingPerRequest.toFixed(0)} ms`,
      },
      { area: 'agents', name: `list ${AGENTS} agents without status (registry + one list-windows)`, length: `p50 of ${LIST_RUNS}`, unit: 'ms', value: ours, baseline: perAgent, baselineName: 'one list-windows per agent, in turn', note: 'the part of the listing status does not need' },
      { area: 'agents', name: 'deliver a one-line message until the program has it', length: 'median of 15', unit: 'ms', value: line.cmux, baseline: line.original, baselineName: 'original: send-keys, 100 ms pause, Enter' },
      { area: 'agents', name: `deliver a ${(Buffer.byteLength(big) / 1024).toFixed(0)} KB message until the program has it`, length: 'median of 5', unit: 'ms', value: large.cmux, baseline: large.original, baselineName: 'original: temp file, load/paste-buffer, 500 ms pause, Enter', note: 'cmux waits for the screen to settle instead of a fixed pause' },
    ];
  } finally {
    await harness.cleanup();
  }
}
