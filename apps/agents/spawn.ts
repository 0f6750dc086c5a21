import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { agentId, agentIdentityToken, assertAgentName, ensureAgentToken } from '../core/src/agents/index.js';
import { agentEnv, serverUrl } from '../core/src/config/index.js';
import { CmuxError } from '../core/src/errors/index.js';
import { summarise, type MailboxMessage } from '../core/src/mailbox/index.js';
import { DEFAULT_PROJECT, projectForSpawn } from '../projects/index.js';
import { reportsTo } from '../projects/agents.js';
import { createAgentWindow, type RegisteredAgent } from '../registry/index.js';
import type { AgentDeps } from './deps.js';
import { commandForKind, launchLine, resolveAgentCommand, type Kind } from './kinds/index.js';
import { queueMessage } from './queue-message.js';
import { finishStart } from './start.js';
import { discardSpawnWorktree, wantsWorktree, worktreeForSpawn, type WorktreeOptions } from './worktree/spawn.js';

// The supervisor's agent id (the default project's).
export const SUPERVISOR = 'supervisor';

export interface SpawnRequest extends WorktreeOptions {
  name: string;
  task?: string | undefined;
  command?: string | undefined;
  // The kind of program to run (a configured kind's name), when no command is given.
  kind?: string | undefined;
  cwd?: string | undefined;
  // Variables for this agent alone, on top of the configured `agents.env`.
  env?: Record<string, string> | undefined;
  role?: string;
  // The project the agent works for: its root is the default cwd (its branch the default base).
  project?: string | undefined;
  createdBy: string;
}

export type SpawnedAgent = RegisteredAgent & { notice?: string };

// Validates the request, then creates and registers the agent's window running the agent
// command directly (its environment set through tmux, nothing typed into a shell); with a
// worktree, the agent runs in it, and the worktree goes again if the window cannot be made.
export async function createAgent(deps: AgentDeps, request: SpawnRequest): Promise<SpawnedAgent> {
  assertAgentName(request.name);
  const { config } = deps;
  const command = request.command ?? (request.kind ? commandForKind(config, deps.kinds, request.kind) : resolveAgentCommand(config).command);
  if (!/^[^\n\r\0]{1,4096}$/.test(command)) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', 'command must be one line of at most 4096 characters');
  }
  const project = projectForSpawn(config, request.project);
  const cwd = request.cwd ?? project.root;
  if (!isAbsolute(cwd) || !existsSync(cwd) || !statSync(cwd).isDirectory()) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `cwd must be an absolute path to an existing folder: ${JSON.stringify(cwd)}`);
  }
  const given = agentEnv.safeParse(request.env ?? {});
  if (!given.success) {
    const issue = given.error.issues[0]!;
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `env ${issue.path.join('.')}: ${issue.message}`);
  }
  const env = { ...config.agents.env, ...given.data };
  const kind = deps.kinds.forCommand(command);
  if (request.kind && kind.name !== request.kind) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `command runs a program of kind ${kind.name}, not ${request.kind}: give one or the other`, { context: { field: 'kind' } });
  }
  const problem = kind.adapter.cannotRun(command, env);
  if (problem) throw new CmuxError('CMUX_ERR_AGENT_CANNOT_RUN', problem);
  const role = request.role ?? 'worker';
  const created = wantsWorktree(config, role, request)
    ? await worktreeForSpawn(config, request.name, agentId(config.tmux.session, request.name, config.tmux.session), cwd, { ...request, base: request.base ?? project.branch })
    : null;
  const agent = await createAgentWindow(deps, {
    name: request.name,
    role,
    command,
    launch: launchFor(deps, command, null),
    cwd: created?.cwd ?? cwd,
    createdBy: request.createdBy,
    kind: kind.name,
    agentEnv: given.data,
    worktree: created?.worktree,
    project: project.name === DEFAULT_PROJECT ? undefined : project.name,
    env: windowEnv(deps, kind, request.name, given.data),
  }).catch(async (error: unknown) => {
    if (created) await discardSpawnWorktree(created.worktree).catch((e: unknown) => deps.logger.warn(`could not remove the worktree ${created.worktree.path}: ${(e as Error).message}`));
    throw error;
  });
  return created?.notice ? { ...agent, notice: created.notice } : agent;
}

// The shell line an agent window runs: the command (resuming the program's own session when
// its kind can and `sessionId` is known), with cmux on its PATH, so it can answer with
// `cmux mail send`, and cmux's MCP server registered where its kind can take it.
export function launchFor(deps: AgentDeps, command: string, sessionId: string | null): string {
  return launchLine(deps.kinds.forCommand(command), command, sessionId, deps.config.root);
}

// Everything an agent window gets in its environment: the configured variables, the agent's
// own, and cmux's (with what its kind needs): its name and the token that proves it
// (`cmux mcp` speaks to the API as this agent with them).
export function windowEnv(deps: AgentDeps, kind: Kind, name: string, own: Readonly<Record<string, string>>): Record<string, string> {
  const { config } = deps;
  return {
    ...config.agents.env,
    ...own,
    CMUX_AGENT: '1',
    CMUX_AGENT_NAME: name,
    CMUX_AGENT_TOKEN: agentIdentityToken(ensureAgentToken(config), name),
    CMUX_HOME: config.home,
    CMUX_URL: serverUrl(config),
    CMUX_SESSION: config.tmux.session,
    CMUX_TMUX_SOCKET: config.tmux.socket.kind === 'name' ? config.tmux.socket.name : config.tmux.socket.path,
    ...kind.adapter.windowEnv(config.root),
  };
}

// Finishes the agent's start (its prompt shown, startup dialogs answered; see finishStart), then
// queues its task, if any (see queueTask).
export async function startAgent(deps: AgentDeps, agent: RegisteredAgent, task?: string): Promise<MailboxMessage | null> {
  await finishStart(deps, agent.id);
  return queueTask(deps, agent, task);
}

// Hands an agent its task through the mailbox: the router types it in, in turn with the
// agent's other messages, once the agent has started (the router finishes the start itself if
// no one else does), and the conversation keeps it. A worker's task comes after the worker
// preamble (config/roles/worker.md): who it is, who its supervisor is, where it works, how to
// report. The task comes from whoever spawned the agent, so its answers go back to them.
export async function queueTask(deps: AgentDeps, agent: RegisteredAgent, task?: string): Promise<MailboxMessage | null> {
  if (task === undefined || task.trim() === '') return null;
  const body = agent.role === 'worker' ? `${workerPreamble(deps, agent)}\n\n${task}` : task;
  return queueMessage(deps, { from: spawnerAddress(agent.createdBy), to: agent.id, subject: summarise(task), text: body });
}

// Who spawns agents besides the user and agents: cmux itself (a supervisor), which speaks as
// system:cmux.
export const CMUX_SPAWNER = 'cmux';

// The address a spawner speaks as: the user, an agent, or system:cmux.
function spawnerAddress(createdBy: string): string {
  return createdBy === CMUX_SPAWNER ? `system:${CMUX_SPAWNER}` : createdBy;
}

// The worker preamble with its placeholders filled in.
export function workerPreamble(deps: AgentDeps, agent: RegisteredAgent): string {
  const template = readFileSync(join(deps.config.root, 'config', 'roles', 'worker.md'), 'utf8');
  const values: Record<string, string> = { name: agent.name, supervisor: reportsTo(agent), cwd: agent.cwd };
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole).trim();
}
