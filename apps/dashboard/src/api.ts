import type { PaneKey } from './terminal-keys';

// The dashboard's client of the cmux API. The session cookie (set by the printed URL or the
// login form) carries the token; a 401 means the person has to log in.
export class Unauthorized extends Error {}

// The server did not answer at all (it is down or restarting); said in plain words, not the
// browser's "Failed to fetch".
export class Unreachable extends Error {}

// An error answer of the API, with its stable code (docs/errors.md).
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Unreachable('cmux does not answer: the server is down or restarting');
  }
  if (response.status === 401) throw new Unauthorized('login needed');
  const data = response.status === 204 ? undefined : await response.json();
  if (!response.ok) {
    const { error, code } = (data ?? {}) as { error?: string; code?: string };
    throw new ApiError(error ?? `${response.status}`, code);
  }
  return data as T;
}

// An agent's terminal: live, or (its window gone) as archived in the journal at `archived.at`.
export interface AgentTerminal {
  text: string;
  archived?: { at: string; date: string; name: string };
}

export type AgentStatus = 'starting' | 'idle' | 'busy' | 'waiting' | 'exited' | 'missing' | 'stopped' | 'unknown';

export interface Agent {
  id: string;
  name: string;
  role: string;
  status: AgentStatus;
  statusSince?: string;
  windowId: string;
  kind: string;
  createdAt: string;
  worktree?: Worktree;
  project?: string;
  // Why the agent needs the person (waiting, done, exited), or null.
  attention?: { event: string; since: string } | null;
}

export const TASK_STATUSES = ['open', 'assigned', 'working', 'input-required', 'done', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface Task {
  id: number;
  project: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: number;
  assignee: string | null;
  parent: number | null;
}

export interface Project {
  name: string;
  root: string;
  branch?: string;
  supervisor: string;
}

export interface Worktree {
  repo: string;
  branch: string;
  base: string;
  path: string;
}

export interface Diff extends Worktree {
  files: Array<{ path: string; from?: string; status: string; additions: number | null; deletions: number | null }>;
  patch: string;
  truncated: boolean;
}

export interface SpawnOptions {
  task?: string;
  worktree?: boolean;
  branch?: string;
  cwd?: string;
}

export interface Message {
  seq: number;
  id: string;
  ts: string;
  from: string;
  to: string;
  subject: string;
  body?: string;
  status: string;
  // Why it waits or died (the router's word), once the router has one.
  detail?: string | null;
  replyTo?: string;
}

// A page of the history; fewer than this many means there is nothing older.
export const MESSAGE_PAGE = 50;

// A dialog an agent shows: its question and choices (`cursor` null: the choice is a key).
export interface Dialog {
  question: string;
  choices: string[];
  cursor: number | null;
}


export interface AppProcess {
  name: string;
  status: string;
  pid: number | null;
  restarts: number;
  uptimeMs: number | null;
  memory: number | null;
  cpu: number | null;
}

export interface Alert {
  id: string;
  ts: string;
  source: string;
  title: string;
  count: number;
  excerpt: string;
  // The journal file with the whole story (an absolute path on the server).
  file: string;
  acknowledged?: string;
}

export interface JournalEntry {
  date: string;
  time: string;
  title: string;
  content: string;
  // Set when the hit is an attachment: its file name.
  file?: string;
}

export interface JournalFile {
  date: string;
  name: string;
  time: string;
  kind: 'terminal' | 'alert' | 'webhook' | 'message' | 'other';
  title: string;
  bytes: number;
}

export interface KilledAgent {
  id: string;
  name: string;
  role: string;
  kind?: string;
  project?: string;
  createdAt: string;
  killedAt: string;
  archive: { date: string; name: string } | null;
}

export interface Health {
  status: string;
  frontend: { status: string; lastHeal: string | null; lastCheck: string | null };
}

export interface AgentEvent {
  agent: string;
  event: string;
  at: string;
  tool?: string;
}

export const api = {
  login: (token: string) => request<void>('POST', '/api/login', { token }),
  logout: () => request<void>('POST', '/api/logout'),
  agents: () => request<Agent[]>('GET', '/api/agents'),
  spawn: (name: string, options: SpawnOptions) => request<Agent & { notice?: string }>('POST', '/api/agents', { name, ...options }),
  kill: (id: string, force = false) => request<unknown>('DELETE', `/api/agents/${encodeURIComponent(id)}${force ? '?force=true' : ''}`),
  diff: (id: string) => request<Diff>('GET', `/api/agents/${encodeURIComponent(id)}/diff`),
  merge: (id: string) => request<{ into: string; commits: number; commit: string | null; uncommitted: boolean }>('POST', `/api/agents/${encodeURIComponent(id)}/merge`, {}),
  send: (id: string, text: string) => request<{ id: string }>('POST', `/api/agents/${encodeURIComponent(id)}/message`, { text }),
  interrupt: (id: string) => request<unknown>('POST', `/api/agents/${encodeURIComponent(id)}/interrupt`),
  compact: (id: string) => request<unknown>('POST', `/api/agents/${encodeURIComponent(id)}/compact`),
  terminal: (id: string, lines = 500) => request<AgentTerminal>('GET', `/api/agents/${encodeURIComponent(id)}/terminal?lines=${lines}`),
  events: (agent: string) => request<AgentEvent[]>('GET', `/api/agent-events?agent=${encodeURIComponent(agent)}&limit=30`),
  dialog: (id: string) => request<{ dialog: Dialog | null }>('GET', `/api/agents/${encodeURIComponent(id)}/dialog`),
  answer: (id: string, choice: string, question: string) =>
    request<{ question: string; choice: string }>('POST', `/api/agents/${encodeURIComponent(id)}/answer`, { choice, question }),
  keys: (id: string, keys: PaneKey[]) => request<unknown>('POST', `/api/agents/${encodeURIComponent(id)}/keys`, { keys }),
  messages: (agent?: string, before?: number, limit = MESSAGE_PAGE) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (agent) query.set('agent', agent);
    if (before) query.set('before', String(before));
    return request<Message[]>('GET', `/api/messages?${query}`);
  },
  projects: () => request<Project[]>('GET', '/api/projects'),
  tasks: (project?: string) => request<Task[]>('GET', `/api/tasks${project ? `?project=${encodeURIComponent(project)}` : ''}`),
  addTask: (task: { title: string; project?: string }) => request<Task>('POST', '/api/tasks', task),
  updateTask: (id: number, change: { status?: TaskStatus }) => request<Task>('PATCH', `/api/tasks/${id}`, change),
  processes: () => request<AppProcess[]>('GET', '/api/processes'),
  health: () => request<Health>('GET', '/api/webhooks/health'),
  alerts: () => request<Alert[]>('GET', '/api/alerts?limit=50'),
  acknowledge: (id: string) => request<Alert>('POST', `/api/alerts/${encodeURIComponent(id)}/ack`),
  killedAgents: () => request<KilledAgent[]>('GET', '/api/killed-agents?limit=100'),
  journalFiles: (date: string) => request<JournalFile[]>('GET', `/api/journal/files?date=${date}`),
  journalFile: (date: string, name: string) => request<JournalFile & { text: string }>('GET', `/api/journal/files/${date}/${encodeURIComponent(name)}`),
  journalDates: () => request<string[]>('GET', '/api/journal/dates'),
  journal: (date?: string) => request<{ date: string; entries: JournalEntry[] }>('GET', `/api/journal${date ? `?date=${date}` : ''}`),
  journalSearch: (q: string) => request<JournalEntry[]>('GET', `/api/journal/search?q=${encodeURIComponent(q)}`),
};
