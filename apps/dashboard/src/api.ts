import type { PaneKey } from './terminal-keys';

// The dashboard's client of the cmux API. A session secret (bought with the printed URL's
// one-time code or the login form's token) goes with every request; a 401 means the person
// has to log in.
export class Unauthorized extends Error {}

// The session secret, kept in this origin's own storage: scheme, host and port. A page served
// by another port of this host cannot read it, and the browser hands it to nobody by itself,
// as it would a cookie (cookies go to every port of a host). It goes out as a header, and on
// the WebSocket as a subprotocol (a browser sets no headers there).
const SESSION_KEY = 'cmux-session';
const SESSION_HEADER = 'x-cmux-session';
export const session = {
  get: (): string | null => localStorage.getItem(SESSION_KEY),
  set: (secret: string) => localStorage.setItem(SESSION_KEY, secret),
  clear: () => localStorage.removeItem(SESSION_KEY),
};

// The subprotocols the event stream asks for: `cmux`, and the one that names the session.
export function liveProtocols(): string[] {
  const secret = session.get();
  return secret ? ['cmux', `cmux.session.${secret}`] : ['cmux'];
}

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

// `asSession: false` sends no session: a login stands on its own credential, and its 401 says
// that credential is wrong, not that the session this page keeps has ended.
async function request<T>(method: string, path: string, body?: unknown, { asSession = true } = {}): Promise<T> {
  const secret = asSession ? session.get() : null;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'omit',
      headers: { ...(secret ? { [SESSION_HEADER]: secret } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Unreachable('cmux does not answer: the server is down or restarting');
  }
  if (response.status === 401 && asSession) {
    // Ended (logged out elsewhere, revoked, expired): it opens nothing any more.
    if (secret !== null && session.get() === secret) session.clear();
    throw new Unauthorized('login needed');
  }
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

export type AgentStatus = 'starting' | 'idle' | 'busy' | 'waiting' | 'limited' | 'exited' | 'missing' | 'stopped' | 'unknown' | 'unreachable';

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
  // While `limited`: when its usage limit resets.
  limitedUntil?: string;
  // Why the agent needs the person (waiting, done, exited), or null.
  attention?: { event: string; since: string } | null;
  // In a cluster, the host it runs on (another host's agent's id carries it too: w1@b).
  host?: string;
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

// A file not committed in a worktree, and how (git's word: modified, added, untracked…).
export interface WorkingFile {
  path: string;
  status: string;
}

// What a merge would take (the commits `into` lacks) and leave behind (uncommitted files).
export interface MergePreview {
  branch: string;
  into: string;
  commits: Array<{ commit: string; subject: string }>;
  commitCount: number;
  uncommitted: WorkingFile[];
}

export interface MergeResult {
  branch: string;
  into: string;
  commit: string | null;
  commits: number;
  committed: { commit: string; files: WorkingFile[] } | null;
  leftBehind: WorkingFile[];
}

export interface SpawnOptions {
  // In a cluster, the host to spawn it on (default this one).
  host?: string;
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

// What the Messages view filters by (GET /api/messages): an agent (either end), a project, a
// direction (to or from the agent, or the user when none is named), a delivery state.
export interface MessageFilter {
  agent?: string;
  project?: string;
  direction?: 'in' | 'out';
  status?: string;
}
export const DELIVERY_STATES = ['queued', 'delivering', 'delivered', 'dead', 'withdrawn'] as const;

export type SearchKind = 'message' | 'terminal' | 'journal' | 'task';
// Where a hit opens (GET /api/search).
export type SearchPlace =
  | { view: 'messages'; id: string; agent: string | null }
  // `find`: the text of the hit, `up`: how many lines above the pane's last line it was.
  | { view: 'agent'; agent: string; find?: string; up?: number }
  | { view: 'journal'; date: string; time: string; file?: string }
  | { view: 'task'; id: number };
export interface SearchHit {
  kind: SearchKind;
  agent: string | null;
  title: string;
  excerpt: string;
  at: string | null;
  place: SearchPlace;
}
export interface SearchResult {
  q: string;
  total: number;
  groups: Array<{ kind: SearchKind; agent: string | null; hits: SearchHit[] }>;
  cut: string[];
}

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

// Another host of the cluster as this host last heard it (its liveness beats).
export interface HostState {
  host: string;
  reachable: boolean;
  lastSeen: string | null;
  apps: AppProcess[];
  health: { status: string; problem: string | null } | null;
  agents: number;
}

// This host's place in its cluster; `self` null on a single host.
export interface ClusterInfo {
  self: string | null;
  name: string | null;
  connected: boolean | null;
  hosts: HostState[];
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

// The apps' memory and restarts over the last hour (GET /api/processes/samples).
export interface AppSamples {
  intervalMs: number;
  windowMs: number;
  apps: Record<string, Array<{ at: string; memory: number | null; restarts: number }>>;
}

// Follows an app's log (what `cmux logs -f <app>` prints) until `signal` aborts: `onText` gets
// each piece as it comes. Resolves when the stream ends.
export async function followLog(name: string, onText: (text: string) => void, signal: AbortSignal): Promise<void> {
  const secret = session.get();
  const response = await fetch(`/api/processes/${encodeURIComponent(name)}/log?lines=100`, { credentials: 'omit', headers: secret ? { [SESSION_HEADER]: secret } : {}, signal });
  if (!response.ok || !response.body) {
    const data = (await response.json().catch(() => ({}))) as { error?: string; code?: string };
    throw new ApiError(data.error ?? `${response.status}`, data.code);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onText(value);
  }
}

// Logs in with the token or a login URL's code, and keeps the session it buys. A wrong one
// leaves the session already kept as it was: a used link opened again while logged in shows
// the dashboard, not a login.
async function logIn(credential: { token: string } | { code: string }): Promise<void> {
  session.set((await request<{ session: string }>('POST', '/api/login', credential, { asSession: false })).session);
}

// The one-time code of a login URL (`/?code=…`), taken out of the address at once so that no
// bookmark, reload or shared screen keeps it.
function takeLoginCode(): string | null {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (code === null) return null;
  params.delete('code');
  const query = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
  return code;
}

let urlLogin: Promise<boolean> | undefined;
// Trades the login URL's code for a session, once per page load; false when the address had a
// code that did not work (used already, or expired).
export function logInFromUrl(): Promise<boolean> {
  urlLogin ??= (async () => {
    const code = takeLoginCode();
    if (code === null) return true;
    return logIn({ code }).then(
      () => true,
      () => false,
    );
  })();
  return urlLogin;
}

export const api = {
  login: (token: string) => logIn({ token }),
  // Ends this session and every one minted from the same login, here and on the server.
  logout: () => request<void>('POST', '/api/logout').finally(session.clear),
  agents: () => request<Agent[]>('GET', '/api/agents'),
  spawn: (name: string, options: SpawnOptions) => request<Agent & { notice?: string }>('POST', '/api/agents', { name, ...options }),
  kill: (id: string, force = false) => request<unknown>('DELETE', `/api/agents/${encodeURIComponent(id)}${force ? '?force=true' : ''}`),
  diff: (id: string) => request<Diff>('GET', `/api/agents/${encodeURIComponent(id)}/diff`),
  mergePreview: (id: string) => request<MergePreview>('GET', `/api/agents/${encodeURIComponent(id)}/merge-preview`),
  merge: (id: string, options: { commitUncommitted?: boolean; message?: string } = {}) => request<MergeResult>('POST', `/api/agents/${encodeURIComponent(id)}/merge`, options),
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
  // A page of the history as the Messages view filters it, newest first.
  messagePage: (filter: MessageFilter, before?: number) => {
    const query = new URLSearchParams({ limit: String(MESSAGE_PAGE) });
    for (const [key, value] of Object.entries(filter)) if (value) query.set(key, value);
    if (before) query.set('before', String(before));
    return request<Message[]>('GET', `/api/messages?${query}`);
  },
  search: (q: string) => request<SearchResult>('GET', `/api/search?${new URLSearchParams({ q })}`),
  // The first messages to or from an agent at or after `since`, oldest first.
  messagesSince: (agent: string, since: string, limit: number) =>
    request<Message[]>('GET', `/api/messages?${new URLSearchParams({ agent, since, limit: String(limit) })}`),
  projects: () => request<Project[]>('GET', '/api/projects'),
  tasks: (project?: string) => request<Task[]>('GET', `/api/tasks${project ? `?project=${encodeURIComponent(project)}` : ''}`),
  addTask: (task: { title: string; project?: string }) => request<Task>('POST', '/api/tasks', task),
  updateTask: (id: number, change: { status?: TaskStatus }) => request<Task>('PATCH', `/api/tasks/${id}`, change),
  processes: () => request<AppProcess[]>('GET', '/api/processes'),
  appSamples: () => request<AppSamples>('GET', '/api/processes/samples'),
  restartApp: (name: string) => request<{ name: string }>('POST', `/api/processes/${encodeURIComponent(name)}/restart`),
  cluster: () => request<ClusterInfo>('GET', '/api/cluster'),
  health: () => request<Health>('GET', '/api/webhooks/health'),
  alerts: () => request<Alert[]>('GET', '/api/alerts?limit=50'),
  acknowledge: (id: string) => request<Alert>('POST', `/api/alerts/${encodeURIComponent(id)}/ack`),
  killedAgents: () => request<KilledAgent[]>('GET', '/api/killed-agents?limit=100'),
  usageToday: () => request<UsageReport>('GET', '/api/usage?by=agent&since=today'),
  usage: (by: 'agent' | 'project' | 'day', since: string) => request<UsageReport>('GET', `/api/usage?${new URLSearchParams({ by, since })}`),
  budgets: () => request<BudgetState>('GET', '/api/budgets'),
  setBudget: (name: string, usdPerDay: number | null) => request<BudgetState>('PUT', `/api/budgets/${encodeURIComponent(name)}`, { usdPerDay }),
  journalFiles: (date: string) => request<JournalFile[]>('GET', `/api/journal/files?date=${date}`),
  journalFile: (date: string, name: string) => request<JournalFile & { text: string }>('GET', `/api/journal/files/${date}/${encodeURIComponent(name)}`),
  journalDates: () => request<string[]>('GET', '/api/journal/dates'),
  journal: (date?: string) => request<{ date: string; entries: JournalEntry[] }>('GET', `/api/journal${date ? `?date=${date}` : ''}`),
  journalSearch: (q: string) => request<JournalEntry[]>('GET', `/api/journal/search?q=${encodeURIComponent(q)}`),
};

// Tokens and estimated cost, as GET /api/usage groups them (apps/usage/report.ts).
export interface UsageLine {
  key: string;
  calls: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  costUsd: number | null;
}
// The daily budgets against today's (UTC) estimated spend, as GET /api/budgets has them.
export interface BudgetLine {
  name: string;
  usdPerDay: number;
  spentUsd: number;
  percent: number;
  reached: boolean;
}
export interface BudgetState {
  day: string;
  resetsAt: string;
  lines: BudgetLine[];
  spentByProject: Record<string, number>;
  unpriced: string[];
}
export interface UsageReport {
  since: string | null;
  lines: UsageLine[];
  total: Omit<UsageLine, 'key'>;
  unpriced: string[];
  pricesAsOf: string[];
}
