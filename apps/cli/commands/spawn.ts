import { Command, InvalidArgumentError } from 'commander';
import { createAgent, queueTask, startAgent } from '../../agents/index.js';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { callerProject } from '../../projects/agents.js';
import { agentContext } from '../agent-context.js';
import { awaitDelivery } from '../ops/await-delivery.js';
import { assertRunning } from '../ops/health.js';
import { caller, windowAgent } from '../caller.js';
import { parseSeconds } from '../parse-seconds.js';
import { say } from '../output.js';
import { readTextArgument } from '../text-argument.js';
import { serverOps } from '../remote-ops.js';

// Collects repeated `--env KEY=VALUE` options into one map.
function collectEnv(value: string, env: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('KEY=VALUE, e.g. --env IS_SANDBOX=1');
  return { ...env, [value.slice(0, eq)]: value.slice(eq + 1) };
}

interface SpawnOptions {
  task?: string;
  command?: string;
  cwd?: string;
  env: Record<string, string>;
  worktree?: boolean;
  branch?: string;
  base?: string;
  project?: string;
  wait: boolean;
  timeout: number;
  host?: string;
}

export const spawnCommand = new Command('spawn')
  .description('start a worker agent in its own tmux window, wait for its prompt and give it a task')
  .argument('<name>', 'the agent name: 1-48 letters, digits, _ or -')
  .option('--task <text>', 'the first message to the agent (- reads it from stdin)')
  .option('--command <command>', 'the program to run instead of the configured agent command')
  .option('--cwd <dir>', 'the folder the agent works in (absolute); with --worktree, the repository')
  .option('--worktree', 'work in a new git worktree of the repository, on a branch of its own')
  .option('--no-worktree', 'work in --cwd itself, whatever worktrees.default says')
  .option('--branch <name>', 'the worktree\'s new branch (default: cmux/<name>)')
  .option('--base <ref>', 'the commit the branch starts from (default: HEAD of the repository)')
  .option('--project <name>', 'work for this project, in its root unless --cwd says otherwise (default: the project of the agent this runs in, else the default project)')
  .option('--env <KEY=VALUE>', 'a variable for this agent (repeatable), on top of agents.env', collectEnv, {})
  .option('--no-wait', 'return once the window exists, with the task queued: the router types it in once the agent shows its prompt (answering its startup dialogs first)')
  .option('--timeout <seconds>', 'how long to wait for the task to be typed in; a task not typed in by then is withdrawn', parseSeconds, 120)
  .option('--host <name>', 'in a cluster: spawn it on that host (through this host\'s cmux-server); its id is then <name>@<host>')
  .action(async (name: string, opts: SpawnOptions) => {
    const { config, deps } = agentContext();
    const task = opts.task === undefined ? undefined : await readTextArgument(opts.task);
    if (opts.host && opts.host !== config.cluster?.host) return spawnElsewhere(config, name, task, opts);
    if (opts.wait && task?.trim()) await assertRunning(config, 'no agent was spawned');
    const { worktree, branch, base } = opts;
    // The task comes from whoever runs this: the agent whose window it is (so its worker's
    // answers reach it), else the person.
    const agent = await createAgent(deps, { name, task, command: opts.command, cwd: opts.cwd, project: opts.project ?? (await callerProject(config, windowAgent())), env: opts.env, worktree, branch, base, createdBy: caller() });
    say(`spawned ${agent.id} (window ${agent.windowId})`);
    if (agent.worktree) say(`worktree ${agent.worktree.path} on branch ${agent.worktree.branch} from ${agent.worktree.base.slice(0, 12)}`);
    if (agent.notice) say(`note: ${agent.notice}`);
    if (!opts.wait) {
      const queued = await queueTask(deps, agent, task);
      if (queued) say(`task queued (message ${queued.id}): the router types it in once ${agent.id} shows its prompt`);
      return;
    }
    const queued = await startAgent(deps, agent, task);
    say(`${agent.id} is ready`);
    if (!queued) return;
    const stored = await awaitDelivery(config, queued, opts.timeout * 1000);
    if (stored.status === 'dead') throw new CmuxError('CMUX_ERR_DELIVERY_FAILED', `the task could not be delivered to ${agent.id}: ${stored.detail}`);
    say(`task delivered (message ${queued.id})`);
  });

// A spawn on another host of the cluster: that host makes the agent (in its own folders and
// projects) and types its task; this host's history hears how the task went.
async function spawnElsewhere(config: CmuxConfig, name: string, task: string | undefined, opts: SpawnOptions): Promise<void> {
  const { worktree, branch, base, project, command, cwd, env, wait, host } = opts;
  const from = caller();
  const agent = await serverOps(config, host).spawn({ name, task, command, cwd, env, worktree, branch, base, project, wait }, from);
  say(`spawned ${agent.id} on ${host} (window ${agent.windowId} there)`);
  if (agent.worktree) say(`worktree ${agent.worktree.path} on ${host}, branch ${agent.worktree.branch}`);
  if (agent.notice) say(`note: ${agent.notice}`);
  if (!agent.taskMessage) return;
  if (!wait) return say(`task queued (message ${agent.taskMessage}): ${host} types it in once ${agent.id} shows its prompt`);
  say(`${agent.id} is ready`);
  const message = { id: agent.taskMessage, ts: new Date().toISOString(), from, to: agent.id, subject: 'task' };
  const stored = await awaitDelivery(config, message, opts.timeout * 1000);
  if (stored.status === 'dead') throw new CmuxError('CMUX_ERR_DELIVERY_FAILED', `the task could not be delivered to ${agent.id}: ${stored.detail}`);
  say(`task delivered (message ${agent.taskMessage})`);
}
