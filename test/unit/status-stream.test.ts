import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createAgentDeps, type AgentDeps } from '../../apps/agents/index.ts';
import { createLogger, type TmuxClient } from '../../apps/core/src/index.ts';
import { createAgentWindow } from '../../apps/registry/index.ts';
import { createHookStore } from '../../apps/server/agents/hook-events.ts';
import { createStatusMonitor, type StatusMonitor } from '../../apps/server/agents/status-monitor.ts';
import { agentHarness } from '../helpers/agents.ts';
import { inProcessApp } from '../helpers/server-app.ts';
import { eventually, tmuxCommand } from '../helpers/tmux.ts';
import { createHub } from '../../apps/server/ws/hub.ts';

// A screen program of a kind of its own: `READY` is idle, a line typed is shown alone on a
// cleared screen, `WORKING` is busy.
const KIND = 'screen-test';
const SCREEN = `printf 'READY\\n'; while read -r line; do printf '\\033[H\\033[2J%s\\n' "$line"; done`;
const USER_CONFIG = `agentKinds:\n  ${KIND}:\n    command: '^${KIND}$'\n    status: { busy: ['^WORKING$'], idle: ['^READY$'] }\n`;
const AGENTS = 4;
const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });

// The deps with a tmux client that notes every pane it captures.
function counting(deps: AgentDeps): { deps: AgentDeps; captures: string[] } {
  const captures: string[] = [];
  const tmux = new Proxy(deps.tmux, {
    get(target, key) {
      if (key === 'capturePane') return (id: string, ...rest: unknown[]) => (captures.push(id), target.capturePane(id, ...(rest as [])));
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as TmuxClient;
  return { deps: { ...deps, tmux }, captures };
}

// How often each window was captured.
function perWindow(captures: readonly string[]): number[] {
  const counts = new Map<string, number>();
  for (const id of captures) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts.values()];
}

describe('status and terminals from the panes\' output', { timeout: 120_000 }, () => {
  let harness: ReturnType<typeof agentHarness>;
  let windows: string[];
  const type = (window: string, word: string) => tmuxCommand(harness.deps.config.tmux.socket, ['send-keys', '-t', window, word, 'Enter']);
  before(async () => {
    harness = agentHarness({}, { userConfig: USER_CONFIG });
    windows = [];
    for (let i = 0; i < AGENTS; i++) {
      const agent = await createAgentWindow(harness.deps, { name: `s${i}`, role: 'worker', command: KIND, launch: SCREEN, cwd: harness.base, createdBy: 'test', kind: KIND, agentEnv: {}, env: {} });
      windows.push(agent.windowId);
    }
  });
  after(async () => harness.cleanup());

  const started = async (deps: AgentDeps): Promise<StatusMonitor> => {
    const monitor = createStatusMonitor(deps, createHookStore(), createHub(), quiet);
    monitor.start();
    await eventually(() => monitor.current(), (agents) => agents.length === AGENTS && agents.every((a) => a.status === 'idle'), 20_000);
    return monitor;
  };
  const statusOf = async (monitor: StatusMonitor, name: string) => (await monitor.current()).find((a) => a.id === name)?.status;

  it('captures a pane again when it prints, not every pane every second', async () => {
    const control = createAgentDeps(harness.deps.config, quiet, { control: true });
    const { deps, captures } = counting(control);
    const monitor = await started(deps);
    try {
      await eventually(async () => control.tmux.streamedSession, (session) => session === 'cmux', 20_000);
      // What connecting brought (every pane's state, once) is read; then the panes are quiet.
      await new Promise((r) => setTimeout(r, 1_500));
      captures.length = 0;
      await new Promise((r) => setTimeout(r, 3_000));
      assert.ok(perWindow(captures).every((n) => n <= 1), `quiet panes captured ${JSON.stringify(captures)} in 3 s`);

      captures.length = 0;
      await type(windows[2]!, 'WORKING');
      await eventually(() => statusOf(monitor, 's2'), (status) => status === 'busy', 20_000);
      assert.ok(captures.includes(windows[2]!), 'the pane that printed was read');
      await type(windows[2]!, 'READY');
      await eventually(() => statusOf(monitor, 's2'), (status) => status === 'idle', 20_000);
      assert.ok(perWindow(captures.filter((id) => id !== windows[2])).every((n) => n <= 1), `the quiet panes were not read for it: ${JSON.stringify(captures)}`);
    } finally {
      await monitor.stop();
      await control.tmux.close();
    }
  });

  it('captures every pane each second without a stream, and when the stream goes', async () => {
    const control = createAgentDeps(harness.deps.config, quiet, { control: true });
    for (const [name, tmuxDeps, drop] of [
      ['a tmux per call', harness.deps, async () => undefined],
      ['the stream closed', control, () => control.tmux.close()],
    ] as const) {
      const { deps, captures } = counting(tmuxDeps);
      const monitor = await started(deps);
      try {
        await drop();
        assert.equal(deps.tmux.streamedSession, null, name);
        captures.length = 0;
        await eventually(async () => perWindow(captures), (counts) => counts.length === AGENTS && counts.every((n) => n >= 2), 20_000);
        await type(windows[1]!, 'WORKING');
        await eventually(() => statusOf(monitor, 's1'), (status) => status === 'busy', 20_000);
        await type(windows[1]!, 'READY');
        await eventually(() => statusOf(monitor, 's1'), (status) => status === 'idle', 20_000);
      } finally {
        await monitor.stop();
      }
    }
  });

  it('sends a dashboard\'s terminal a new screen when the pane prints, and captures no quiet pane twice a second', async () => {
    const control = createAgentDeps(harness.deps.config, quiet, { control: true });
    const { deps, captures } = counting(control);
    const app = await inProcessApp(deps, 'status-stream-token-0123');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=status-stream-token-0123`);
    const screens: string[] = [];
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { event: string; data: { text: string } };
      if (frame.event === 'terminal') screens.push(frame.data.text);
    });
    try {
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      await eventually(async () => (await control.tmux.listWindows(), control.tmux.streamedSession), (session) => session === 'cmux', 20_000);
      socket.send(JSON.stringify({ subscribe: 's3' }));
      await eventually(async () => screens.length, (n) => n >= 1, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      const before = captures.filter((id) => id === windows[3]).length;
      await new Promise((r) => setTimeout(r, 2_000));
      assert.ok(captures.filter((id) => id === windows[3]).length - before <= 1, 'a quiet pane is not captured every 500 ms');
      await type(windows[3]!, 'printed-line');
      await eventually(async () => screens.at(-1) ?? '', (text) => text.includes('printed-line'), 20_000);
    } finally {
      socket.close();
      await app.close();
      await control.tmux.close();
    }
  });
});
