import { agentId, assertAgentName } from '../core/src/agents/index.js';
import type { CmuxConfig } from '../core/src/config/index.js';
import { CmuxError, isCmuxError } from '../core/src/errors/index.js';
import type { Logger } from '../core/src/log/index.js';
import { homePaths } from '../core/src/paths/index.js';
import type { NewWindowOptions, TmuxClient, TmuxWindow } from '../core/src/tmux/index.js';
import { readRegistry, readRegistryForLookup } from './read.js';
import type { AgentEntry, RegistryFile, WorktreeEntry } from './schema.js';
import { updateRegistry } from './update.js';

export interface RegistryDeps {
  config: CmuxConfig;
  tmux: TmuxClient;
  logger?: Logger;
}

export interface NewAgentWindow {
  name: string;
  role: string;
  // The agent command, as the registry keeps it (it tells the agent's kind).
  command: string;
  // The shell line the window runs (tmux hands it to `sh -c`).
  launch: string;
  cwd: string;
  createdBy: string;
  // The agent program's kind, and the variables given to this agent alone (kept for restarts).
  kind: string;
  agentEnv: Readonly<Record<string, string>>;
  // Everything the window gets: cmux's own variables and the configured ones too.
  env: Readonly<Record<string, string>>;
  worktree?: WorktreeEntry | undefined;
  project?: string | undefined;
}

export type RegisteredAgent = AgentEntry & { id: string };

// Creates an agent's window and its registry entry. The registry lock covers the YAML write
// alone, never tmux: the window is made and tagged first, then the entry is written if the
// name is still free; a spawn that loses the race for the name kills its window again.
export async function createAgentWindow(deps: RegistryDeps, input: NewAgentWindow): Promise<RegisteredAgent> {
  assertAgentName(input.name);
  const { config, tmux } = deps;
  const session = config.tmux.session;
  const id = agentId(session, input.name, session);
  const taken = () => new CmuxError('CMUX_ERR_AGENT_EXISTS', `an agent named ${input.name} already exists: kill it first or choose another name`, { context: { id } });
  // A quick look first, so a taken name (or an invalid registry) starts no window; the write below decides.
  const current = await readRegistry(homePaths(config.home).registry);
  if (current?.agents[id]) throw taken();
  const clash = (await tmux.listWindows()).find((w) => w.session === session && w.name === input.name);
  if (clash) {
    throw new CmuxError('CMUX_ERR_AGENT_EXISTS', `a window named ${input.name} already exists in session ${session} (${clash.windowId}): choose another name`, {
      context: { id, windowId: clash.windowId },
    });
  }
  const window = { session, name: input.name, command: [input.launch], cwd: input.cwd, env: input.env };
  let created: string | null = null;
  try {
    created = await openWindow(tmux, window);
    const server = await tagWindow(tmux, created, id);
    const windowId = created;
    const { result } = await updateRegistry(
      homePaths(config.home).registry,
      (registry) => {
        if (registry.agents[id]) throw taken();
        return addEntry(registry, id, {
          starting: true,
          name: input.name,
          role: input.role,
          session,
          window: input.name,
          windowId,
          server,
          command: input.command,
          cwd: input.cwd,
          createdBy: input.createdBy,
          kind: input.kind,
          ...(Object.keys(input.agentEnv).length > 0 ? { env: { ...input.agentEnv } } : {}),
          ...(input.worktree ? { worktree: input.worktree } : {}),
          ...(input.project ? { project: input.project } : {}),
        });
      },
      deps.logger,
    );
    return result;
  } catch (error) {
    if (created) await tmux.killWindow(created).catch(() => undefined);
    throw error;
  }
}

function addEntry(registry: RegistryFile, id: string, fields: Omit<AgentEntry, 'createdAt'>): RegisteredAgent {
  const entry: AgentEntry = { ...fields, state: 'running', createdAt: new Date().toISOString() };
  registry.agents[id] = entry;
  return { id, ...entry };
}

// Registers a window that already exists (CONTRACT POST /api/agents/register).
export async function registerExistingWindow(
  deps: RegistryDeps,
  input: { id: string; role: string; session: string; window: string; createdBy: string },
): Promise<RegisteredAgent> {
  const name = input.id.includes(':') ? input.id.slice(input.id.indexOf(':') + 1) : input.id;
  assertAgentName(name);
  const windows = await deps.tmux.listWindows();
  const window = windows.find((w) => w.session === input.session && (w.name === input.window || w.windowId === input.window));
  if (!window) {
    throw new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `no window ${input.window} in tmux session ${input.session}`, { context: input });
  }
  // cmux's own windows (the log view that holds the session open) are never agents: killing
  // the agent would kill them.
  if (window.session === deps.config.tmux.session && deps.config.tmux.systemWindows.includes(window.name)) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `window ${window.name} is cmux's own (tmux.systemWindows) and cannot be registered as an agent`, { context: input });
  }
  const id = agentId(input.session, name, deps.config.tmux.session);
  const { result } = await updateRegistry(
    homePaths(deps.config.home).registry,
    (registry) => {
      const taken = Object.entries(registry.agents).find(([key, e]) => key === id || (e.windowId === window.windowId && ownsWindow(key, e, window)));
      if (taken) throw new CmuxError('CMUX_ERR_AGENT_EXISTS', `already registered as ${taken[0]}`, { context: { id } });
      return tagWindow(deps.tmux, window.windowId, id).then((server) =>
        addEntry(registry, id, {
          name,
          role: input.role,
          session: input.session,
          window: window.name,
          windowId: window.windowId,
          server,
          command: window.paneCommand,
          cwd: '',
          createdBy: input.createdBy,
        }),
      );
    },
    deps.logger,
  );
  return result;
}

// Opens a window in the session, starting the session when there is none. Spawns run side by
// side (the registry lock covers only the YAML write): when another one started the session
// first, tmux says so, and the window goes into that session.
async function openWindow(tmux: TmuxClient, window: NewWindowOptions): Promise<string> {
  if (await tmux.hasSession(window.session)) return tmux.newWindow(window);
  try {
    return await tmux.newSession(window);
  } catch (error) {
    if (isCmuxError(error, 'CMUX_ERR_TMUX_FAILED') && /duplicate session/.test(error.message)) return tmux.newWindow(window);
    throw error;
  }
}

// Tags a window with the agent's id and returns the server it lives on.
async function tagWindow(tmux: TmuxClient, windowId: string, id: string): Promise<string> {
  await tmux.tagWindow(windowId, id);
  const row = (await tmux.listWindows()).find((w) => w.windowId === windowId);
  if (!row || row.agentTag !== id) throw new CmuxError('CMUX_ERR_TMUX_FAILED', `window ${windowId} could not be tagged as agent ${id}`, { context: { id, windowId } });
  return row.server;
}

// Whether `window` is the one registered as `id`: it carries the agent's tag, on the server the
// entry was made on. tmux reuses window ids on a new server, so the id alone proves nothing.
export function ownsWindow(id: string, entry: AgentEntry, window: TmuxWindow): boolean {
  return window.agentTag === id && (entry.server === undefined || entry.server === window.server);
}

// Marks every agent whose window is alive as `stopped`, before cmux stops its tmux server:
// the entries stay, with what bringing them back needs. Returns them with their windows.
export async function markTeamStopped(deps: RegistryDeps): Promise<Array<{ id: string; windowId: string }>> {
  const windows = await deps.tmux.listWindows();
  const { result } = await updateRegistry(
    homePaths(deps.config.home).registry,
    (registry) =>
      Object.entries(registry.agents).flatMap(([id, entry]) => {
        const window = windows.find((w) => w.windowId === entry.windowId);
        if (!window || window.paneDead || !ownsWindow(id, entry, window)) return [];
        entry.state = 'stopped';
        return [{ id, windowId: entry.windowId }];
      }),
    deps.logger,
  );
  return result;
}

// Opens a new window for a registered agent that is not running (stopped, or its tmux server
// went away) and points its entry at it: the same id, name, folder and variables.
export async function relaunchAgentWindow(
  deps: RegistryDeps,
  id: string,
  launch: { launch: string; env: Readonly<Record<string, string>> },
): Promise<RegisteredAgent> {
  const { config, tmux } = deps;
  const entry = (await readRegistry(homePaths(config.home).registry))?.agents[id];
  if (!entry) throw new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `no agent ${id}`, { context: { id } });
  const window = { session: entry.session, name: entry.name, command: [launch.launch], cwd: entry.cwd, env: launch.env };
  const created = await openWindow(tmux, window);
  try {
    const server = await tagWindow(tmux, created, id);
    const { result } = await updateRegistry(
      homePaths(config.home).registry,
      (registry) => {
        const current = registry.agents[id];
        if (!current) throw new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `agent ${id} was removed meanwhile`, { context: { id } });
        Object.assign(current, { windowId: created, server, window: entry.name, state: 'running' as const, starting: true as const });
        return { id, ...current };
      },
      deps.logger,
    );
    return result;
  } catch (error) {
    await tmux.killWindow(created).catch(() => undefined);
    throw error;
  }
}

// Records that the agent in window `windowId` has shown its prompt. An entry that points at
// another window by now (the agent was brought back meanwhile) is left starting: false.
export async function markStarted(deps: Omit<RegistryDeps, 'tmux'>, id: string, windowId: string): Promise<boolean> {
  const { result } = await updateRegistry(
    homePaths(deps.config.home).registry,
    (registry) => {
      const entry = registry.agents[id];
      if (!entry || entry.windowId !== windowId) return false;
      delete entry.starting;
      return true;
    },
    deps.logger,
  );
  return result;
}

// Records the program's own session id in the agent's entry (Claude Code's SessionStart hook).
// An agent that is not registered (or was killed meanwhile) is left alone: false.
export async function recordSessionId(deps: Omit<RegistryDeps, 'tmux'>, id: string, sessionId: string): Promise<boolean> {
  const { result } = await updateRegistry(
    homePaths(deps.config.home).registry,
    (registry) => {
      const entry = registry.agents[id];
      if (!entry) return false;
      entry.sessionId = sessionId;
      return true;
    },
    deps.logger,
  );
  return result;
}

// Removes an agent's entry; returns it, or throws CMUX_ERR_AGENT_NOT_FOUND.
export async function unregisterAgent(deps: Omit<RegistryDeps, 'tmux'>, id: string): Promise<RegisteredAgent> {
  const { result } = await updateRegistry(
    homePaths(deps.config.home).registry,
    (registry) => {
      const entry = registry.agents[id];
      if (!entry) throw new CmuxError('CMUX_ERR_AGENT_NOT_FOUND', `no agent ${id}`, { context: { id } });
      delete registry.agents[id];
      return { id, ...entry };
    },
    deps.logger,
  );
  return result;
}

// A registered agent joined with its live window (null when the window is gone).
export interface AgentWindow {
  agent: RegisteredAgent;
  window: TmuxWindow | null;
}

export interface AgentWindows {
  agents: AgentWindow[];
  // Set when agents.yaml is invalid and the last good copy is listed instead.
  warning?: string;
}

// Every registered agent joined by window id with ONE `list-windows -a`: a renamed window is
// still its agent, a vanished one is listed with no window (never dropped, never deleted here).
// Windows cmux did not register are never agents (CONTRACT §5), with or without agents.yaml.
export async function listAgentWindows(deps: RegistryDeps): Promise<AgentWindows> {
  const { config, tmux } = deps;
  const [{ registry, warning }, windows] = await Promise.all([readRegistryForLookup(homePaths(config.home).registry), tmux.listWindows()]);
  const byId = new Map(windows.map((w) => [w.windowId, w]));
  return {
    ...(warning ? { warning } : {}),
    agents: Object.entries(registry?.agents ?? {}).map(([id, entry]) => {
      const window = byId.get(entry.windowId);
      return { window: window && ownsWindow(id, entry, window) ? window : null, agent: { id, ...entry } };
    }),
  };
}
