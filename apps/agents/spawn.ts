import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  appendMessage,
  assertAgentName,
  CmuxError,
  detectPaneStatus,
  lastLines,
  launchLine,
  resolveAgentCommand,
  serverUrl,
  summarise,
  type AgentKind,
  type MailboxMessage,
} from '../core/src/index.js';
import { createAgentWindow, type RegisteredAgent } from '../registry/index.js';
import type { AgentDeps } from './deps.js';

const READY_POLL_MS = 150;
const STARTUP_KEY_COOLDOWN_MS = 1_500;
// How long the prompt must hold still before the agent counts as ready: Codex and Gemini draw
// their idle prompt first and a startup dialog a moment later (a task typed in between is lost).
const READY_SETTLE_MS = 1_000;

export interface SpawnRequest {
  name: string;
  task?: string | undefined;
  command?: string | undefined;
  cwd?: string | undefined;
  role?: string;
  createdBy: string;
}

// Validates the request, then creates and registers the agent's window running the agent
// command directly (its environment set through tmux, nothing typed into a shell).
export async function createAgent(deps: AgentDeps, request: SpawnRequest): Promise<RegisteredAgent> {
  assertAgentName(request.name);
  const { config } = deps;
  const command = request.command ?? resolveAgentCommand(config).command;
  if (!/^[^\n\r\0]{1,4096}$/.test(command)) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', 'command must be one line of at most 4096 characters');
  }
  const cwd = request.cwd ?? config.root;
  if (!isAbsolute(cwd) || !existsSync(cwd) || !statSync(cwd).isDirectory()) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `cwd must be an absolute path to an existing folder: ${JSON.stringify(cwd)}`);
  }
  const socket = config.tmux.socket.kind === 'name' ? config.tmux.socket.name : config.tmux.socket.path;
  return createAgentWindow(deps, {
    name: request.name,
    role: request.role ?? 'worker',
    command,
    // `cmux` on the agent's PATH, so it can answer with `cmux mail send`.
    launch: launchLine(command, deps.kinds.forCommand(command), join(config.root, 'bin')),
    cwd,
    createdBy: request.createdBy,
    env: {
      CMUX_AGENT: '1',
      CMUX_AGENT_NAME: request.name,
      CMUX_HOME: config.home,
      CMUX_URL: serverUrl(config),
      CMUX_SESSION: config.tmux.session,
      CMUX_TMUX_SOCKET: socket,
      CMUX_HOOK: join(config.root, 'scripts', 'claude-hook.mjs'),
    },
  });
}

// Waits until the agent shows its prompt (answering startup dialogs on the way), then hands
// the task, if any, to the mailbox: the router types it in, in turn with the agent's other
// messages, and the conversation keeps it. No fixed sleeps: the screen says when it is ready.
export async function startAgent(deps: AgentDeps, agent: RegisteredAgent, task?: string): Promise<MailboxMessage | null> {
  const kind = deps.kinds.forCommand(agent.command);
  await waitUntilReady(deps, agent, kind);
  if (task === undefined || task.trim() === '') return null;
  const from = agent.createdBy === 'user' ? 'user' : `system:${agent.createdBy}`;
  return appendMessage(deps.config.home, { from, to: agent.id, subject: summarise(task), body: task });
}

// Ready means the idle prompt shown, unchanged, for READY_SETTLE_MS; a kind with no idle
// pattern (a plain program) is ready once its screen holds still.
async function waitUntilReady(deps: AgentDeps, agent: RegisteredAgent, kind: AgentKind): Promise<void> {
  const deadline = Date.now() + deps.config.agents.readyTimeoutMs;
  const answered = new Map<number, number>();
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
    const dialog = kind.startup.findIndex((s) => s.when.test(lastLines(pane, kind.statusLines)));
    if (dialog !== -1 && Date.now() - (answered.get(dialog) ?? 0) > STARTUP_KEY_COOLDOWN_MS) {
      answered.set(dialog, Date.now());
      deps.logger.info(`answering a startup dialog of ${agent.id}`, { keys: kind.startup[dialog]!.keys });
      await deps.tmux.sendKeys(agent.windowId, ...kind.startup[dialog]!.keys);
    } else if (Date.now() - stillSince >= READY_SETTLE_MS && (kind.status.idle.length === 0 || detectPaneStatus(kind, pane) === 'idle')) {
      return;
    }
    await sleep(READY_POLL_MS);
  }
  throw new CmuxError('CMUX_ERR_AGENT_NOT_READY', `agent ${agent.id} did not show its prompt within ${deps.config.agents.readyTimeoutMs} ms`, {
    context: { id: agent.id },
  });
}
