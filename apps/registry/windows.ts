import {
  agentId,
  assertAgentName,
  CmuxError,
  homePaths,
  type CmuxConfig,
  type Logger,
  type TmuxClient,
  type TmuxWindow,
} from '../core/src/index.js';
import { readRegistry } from './read.js';
import type { AgentEntry, RegistryFile } from './schema.js';
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
  env: Readonly<Record<string, string>>;
}

export type RegisteredAgent = AgentEntry & { id: string };

// Creates an agent's window and its registry entry as one operation, under the registry lock:
// the window is created (starting the session if needed), then the entry is written with the
// window's id; if the write fails, the window is killed again.
export async function createAgentWindow(deps: RegistryDeps, input: NewAgentWindow): Promise<RegisteredAgent> {
  assertAgentName(input.name);
  const { config, tmux } = deps;
  const session = config.tmux.session;
  const id = agentId(session, input.name, session);
  let created: string | null = null;
  try {
    const { result } = await updateRegistry(
      homePaths(config.home).registry,
      async (registry) => {
        if (registry.agents[id]) {
          throw new CmuxError('CMUX_ERR_AGENT_EXISTS', `an agent named ${input.name} already exists: kill it first or choose another name`, { context: { id } });
        }
        const clash = (await tmux.listWindows()).find((w) => w.session === session && w.name === input.name);
        if (clash) {
          throw new CmuxError('CMUX_ERR_AGENT_EXISTS', `a window named ${input.name} already exists in session ${session} (${clash.windowId}): choose another name`, {
            context: { id, windowId: clash.windowId },
          });
        }
        const window = { session, name: input.name, command: [input.launch], cwd: input.cwd, env: input.env };
        created = (await tmux.hasSession(session)) ? await tmux.newWindow(window) : await tmux.newSession(window);
        return addEntry(registry, id, {
          name: input.name,
          role: input.role,
          session,
          window: input.name,
          windowId: created,
          command: input.command,
          cwd: input.cwd,
          createdBy: input.createdBy,
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
  const entry: AgentEntry = { ...fields, createdAt: new Date().toISOString() };
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
      const taken = Object.entries(registry.agents).find(([key, e]) => key === id || e.windowId === window.windowId);
      if (taken) throw new CmuxError('CMUX_ERR_AGENT_EXISTS', `already registered as ${taken[0]}`, { context: { id } });
      return addEntry(registry, id, {
        name,
        role: input.role,
        session: input.session,
        window: window.name,
        windowId: window.windowId,
        command: window.paneCommand,
        cwd: '',
        createdBy: input.createdBy,
      });
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
  registered: boolean;
  window: TmuxWindow | null;
}

export interface AgentWindows {
  agents: AgentWindow[];
  // Set when there is no registry and windows are listed by the old naming convention.
  warning?: string;
}

// Every registered agent joined by window id with ONE `list-windows -a`: a renamed window is
// still its agent, a vanished one is listed with no window (never dropped, never deleted here).
// Without any registry file, the session's non-system windows are listed as unregistered.
export async function listAgentWindows(deps: RegistryDeps): Promise<AgentWindows> {
  const { config, tmux } = deps;
  const [registry, windows] = await Promise.all([readRegistry(homePaths(config.home).registry), tmux.listWindows()]);
  const byId = new Map(windows.map((w) => [w.windowId, w]));
  if (registry === null) {
    const legacy = windows.filter((w) => w.session === config.tmux.session && !config.tmux.systemWindows.includes(w.name));
    return {
      warning: `no agent registry at ${homePaths(config.home).registry}: listing the windows of session ${config.tmux.session} as unregistered agents`,
      agents: legacy.map((w) => ({
        registered: false,
        window: w,
        agent: {
          id: agentId(w.session, w.name, config.tmux.session),
          name: w.name,
          role: 'worker',
          session: w.session,
          window: w.name,
          windowId: w.windowId,
          command: w.paneCommand,
          cwd: '',
          createdAt: '',
          createdBy: 'unknown',
        },
      })),
    };
  }
  return {
    agents: Object.entries(registry.agents).map(([id, entry]) => ({
      registered: true,
      window: byId.get(entry.windowId) ?? null,
      agent: { id, ...entry },
    })),
  };
}
