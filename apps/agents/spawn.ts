import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentId, assertAgentName, detectPaneStatus, lastLines, type AgentKind } from '../core/src/agents/index.js';
import { agentEnv, serverUrl } from '../core/src/config/index.js';
import { CmuxError } from '../core/src/errors/index.js';
import { summarise, type MailboxMessage } from '../core/src/mailbox/index.js';
import { DEFAULT_PROJECT, projectForSpawn, supervisorOf } from '../projects/index.js';
import { createAgentWindow, type RegisteredAgent } from '../registry/index.js';
import type { AgentDeps } from './deps.js';
import { chooseOnScreen } from './dialogs.js';
import { launchLine, resolveAgentCommand, type Kind } from './kinds/index.js';
import { queueMessage } from './queue-message.js';
import { withTypingLock } from './typing-lock.js';
import { discardSpawnWorktree, wantsWorktree, worktreeForSpawn, type WorktreeOptions } from './worktree/spawn.js';

const READY_POLL_MS = 150;
// The supervisor's agent id (the default project's).
export const SUPERVISOR = 'supervisor';
// How long the prompt must hold still before the agent counts as ready: Codex and Gemini draw
// their idle prompt first and a startup dialog a moment later (a task typed in between is lost).
const READY_SETTLE_MS = 1_000;

export interface SpawnRequest extends WorktreeOptions {
  name: string;
  task?: string | undefined;
  command?: string | undefined;
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
  const command = request.command ?? resolveAgentCommand(config).command;
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
// `cmux mail send`.
export function launchFor(deps: AgentDeps, command: string, sessionId: string | null): string {
  return launchLine(deps.kinds.forCommand(command), command, sessionId, join(deps.config.root, 'bin'));
}

// Everything an agent window gets in its environment: the configured variables, the agent's
// own, and cmux's (with what its kind needs).
export function windowEnv(deps: AgentDeps, kind: Kind, name: string, own: Readonly<Record<string, string>>): Record<string, string> {
  const { config } = deps;
  return {
    ...config.agents.env,
    ...own,
    CMUX_AGENT: '1',
    CMUX_AGENT_NAME: name,
    CMUX_HOME: config.home,
    CMUX_URL: serverUrl(config),
    CMUX_SESSION: config.tmux.session,
    CMUX_TMUX_SOCKET: config.tmux.socket.kind === 'name' ? config.tmux.socket.name : config.tmux.socket.path,
    ...kind.adapter.windowEnv(config.root),
  };
}

// Waits until the agent shows its prompt (answering startup dialogs on the way), then hands
// the task, if any, to the mailbox: the router types it in, in turn with the agent's other
// messages, and the conversation keeps it. A worker's task comes after the worker preamble
// (config/roles/worker.md): who it is, who its supervisor is, where it works, how to report.
export async function startAgent(deps: AgentDeps, agent: RegisteredAgent, task?: string): Promise<MailboxMessage | null> {
  const kind = deps.kinds.forCommand(agent.command);
  await waitUntilReady(deps, agent, kind);
  if (task === undefined || task.trim() === '') return null;
  const from = agent.createdBy === 'user' ? 'user' : `system:${agent.createdBy}`;
  const body = agent.role === 'worker' ? `${workerPreamble(deps, agent)}\n\n${task}` : task;
  return queueMessage(deps, { from, to: agent.id, subject: summarise(task), text: body });
}

// The worker preamble with its placeholders filled in.
export function workerPreamble(deps: AgentDeps, agent: RegisteredAgent): string {
  const template = readFileSync(join(deps.config.root, 'config', 'roles', 'worker.md'), 'utf8');
  const values: Record<string, string> = { name: agent.name, supervisor: supervisorOf(agent.project ?? DEFAULT_PROJECT), cwd: agent.cwd };
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole).trim();
}

// Ready means the idle prompt shown, unchanged, for READY_SETTLE_MS (startup dialogs on the
// way are answered on screen by their choice's text); a kind with no idle pattern (a plain
// program) is ready once its screen holds still.
async function waitUntilReady(deps: AgentDeps, agent: RegisteredAgent, kind: AgentKind): Promise<void> {
  const deadline = Date.now() + deps.config.agents.readyTimeoutMs;
  let previous: string | null = null;
  let stillSince = Date.now();
  while (Date.now() < deadline) {
    const row = (await deps.tmux.listWindows()).find((w) => w.windowId === agent.windowId);
    const pane = row ? await deps.tmux.capturePane(agent.windowId).catch(() => null) : null;
    if (!row || row.paneDead || pane === null) {
      throw new CmuxError('CMUX_ERR_AGENT_NOT_READY', `agent ${agent.id} exited while starting${pane ? `; its last lines:\n${lastLines(pane, 8)}` : ''}`, {
        context: { id: agent.id },
      });
    }
    if (pane !== previous) stillSince = Date.now();
    previous = pane;
    const dialog = kind.startup.find((d) => d.when.test(pane));
    if (dialog) {
      if (dialog.requires === 'acceptApiKey' && !deps.config.agents.acceptApiKey) {
        throw new CmuxError(
          'CMUX_ERR_AGENT_NOT_READY',
          `agent ${agent.id} asks whether to use the API key in its environment, and cmux does not answer that for you. ` +
            `Set \`agents.acceptApiKey: true\` in your CMUX_CONFIG file to let cmux answer Yes, or answer it once yourself (\`npx cmux attach ${agent.id}\`), ` +
            `or log its program in instead of using a key. The window is still open; \`npx cmux kill ${agent.id}\` removes it.`,
          { context: { id: agent.id } },
        );
      }
      deps.logger.info(`answering a startup dialog of ${agent.id}: ${dialog.choose}`);
      await withTypingLock(deps, agent.id, () => chooseOnScreen(deps.tmux, agent.windowId, (screen) => dialog.when.test(screen), dialog.choose, kind.choiceCursor ?? undefined));
    } else if (Date.now() - stillSince >= READY_SETTLE_MS && (kind.status.idle.length === 0 || detectPaneStatus(kind, pane) === 'idle')) {
      return;
    }
    await sleep(READY_POLL_MS);
  }
  throw new CmuxError('CMUX_ERR_AGENT_NOT_READY', `agent ${agent.id} did not show its prompt within ${deps.config.agents.readyTimeoutMs} ms`, {
    context: { id: agent.id },
  });
}
