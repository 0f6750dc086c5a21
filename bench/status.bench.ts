import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAgentDeps, type AgentDeps } from '../apps/agents/index.ts';
import { createLogger } from '../apps/core/src/index.ts';
import { createAgentWindow } from '../apps/registry/index.ts';
import { agentHarness } from '../test/helpers/agents.ts';
import { controlClients, tmuxCommand } from '../test/helpers/tmux.ts';
import { apiServer } from './api-server.ts';
import { machineLoad, percentile, type BenchRow } from './report.ts';

const AGENTS = 100;
const IDLE_MS = 60_000;
const CHANGES = 20;
const STATUS_CHANGE_BUDGET_MS = 200;
// A screen program of a kind of its own: `READY` is idle, anything typed is shown alone on a
// cleared screen, and `WORKING` is busy.
const KIND = 'bench-screen';
const SCREEN = `printf 'READY\\n'; while read -r line; do printf '\\033[H\\033[2J%s\\n' "$line"; done`;
const USER_CONFIG = `agentKinds:\n  ${KIND}:\n    command: '^${KIND}$'\n    status: { busy: ['^WORKING$'], idle: ['^READY$'] }\n`;

// CPU time (ms) a process has used, with its children that ended (tmux clients it spawned).
function cpuMs(pid: number | 'self'): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime, stime, cutime, cstime (fields 14-17 of proc(5)), in clock ticks of 10 ms.
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) * 10;
  } catch {
    return 0;
  }
}

// 100 idle agents under cmux-server's status monitor: the CPU that the server's process and
// the tmux it uses (server and clients) spend in a quiet minute, and how soon a change of one
// agent's screen shows in GET /api/agents/:id; for the monitor on the control connection (the
// screens read when they print, and every 15 s) and, in the same run, on a tmux client that
// spawns tmux per call (every pane captured each second, as before issue 31).
export async function benchStatus(log: (line: string) => void): Promise<BenchRow[]> {
  const harness = agentHarness({}, { userConfig: USER_CONFIG });
  const { config } = harness.deps;
  const tmux = (args: string[]) => tmuxCommand(config.tmux.socket, args);
  const socketPath = config.tmux.socket.kind === 'path' ? config.tmux.socket.path : '';
  try {
    const windows: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const agent = await createAgentWindow(harness.deps, { name: `s${i}`, role: 'worker', command: KIND, launch: SCREEN, cwd: harness.base, createdBy: 'bench', kind: KIND, agentEnv: {}, env: {} });
      windows.push(agent.windowId);
    }
    const tmuxServer = Number((await tmux(['display-message', '-p', '#{pid}'])).trim());
    log(`status: ${AGENTS} agents`);

    const measure = async (name: string, deps: AgentDeps) => {
      const api = await apiServer(deps);
      try {
        const statusOf = async (id: string) => (await api.get<{ status: string }>(`/api/agents/${id}`)).status;
        const deadline = Date.now() + 60_000;
        while ((await api.get<Array<{ status: string }>>('/api/agents')).some((a) => a.status !== 'idle')) {
          if (Date.now() > deadline) throw new Error(`status ${name}: the agents never all read idle`);
          await sleep(200);
        }
        await sleep(2_000);
        const ours = () => cpuMs('self') + cpuMs(tmuxServer) + controlClients(socketPath).reduce((sum, pid) => sum + cpuMs(pid), 0);
        const before = ours();
        await sleep(IDLE_MS);
        const cpu = ours() - before;
        const seen: number[] = [];
        for (let i = 0; i < CHANGES; i++) {
          const n = (i * 37) % AGENTS;
          for (const [word, status] of [['WORKING', 'busy'], ['READY', 'idle']] as const) {
            await tmux(['send-keys', '-t', windows[n]!, word, 'Enter']);
            const sent = performance.now();
            const limit = Date.now() + 60_000;
            while ((await statusOf(`s${n}`)) !== status) {
              if (Date.now() > limit) throw new Error(`status ${name}: s${n} never read ${status}`);
              await sleep(5);
            }
            seen.push(performance.now() - sent);
          }
        }
        log(`status ${name}: ${(cpu / 1000).toFixed(2)} s CPU in ${IDLE_MS / 1000} s idle; a change seen p50 ${percentile(seen, 50).toFixed(0)} p99 ${percentile(seen, 99).toFixed(0)} ms`);
        return { cpu, seen };
      } finally {
        await api.close();
      }
    };
    const quiet = createLogger('bench', { out: { write: () => true } as never, err: process.stderr });
    const control = createAgentDeps(config, quiet, { control: true });
    const ours = await measure('control connection', control).finally(() => control.tmux.close());
    const spawned = await measure('a tmux per call', harness.deps);
    const baselineName = 'the monitor on a tmux per call: every pane captured each second';
    const change = { area: 'status', name: `${AGENTS} agents: a screen change → GET /api/agents/:id shows it`, length: `${CHANGES * 2} changes`, unit: 'ms', baselineName, note: machineLoad() } as const;
    const cpuShare = (ms: number) => `${((ms / IDLE_MS) * 100).toFixed(1)} % of a core`;
    return [
      {
        area: 'status',
        name: `${AGENTS} idle agents: CPU of the server and tmux`,
        length: `${IDLE_MS / 1000} s`,
        unit: 'ms',
        value: ours.cpu,
        baseline: spawned.cpu,
        baselineName,
        budget: { on: 'ratio', max: 0.5 },
        note: `${cpuShare(ours.cpu)} against ${cpuShare(spawned.cpu)}; the bench process (the server's monitor and routes), the tmux server and its control client; ${machineLoad()}`,
      },
      { ...change, name: `${change.name}, p50`, value: percentile(ours.seen, 50), baseline: percentile(spawned.seen, 50) },
      { ...change, name: `${change.name}, p99`, value: percentile(ours.seen, 99), baseline: percentile(spawned.seen, 99), budget: { on: 'value', max: STATUS_CHANGE_BUDGET_MS } },
    ];
  } finally {
    await harness.cleanup();
  }
}
