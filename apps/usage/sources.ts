import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { scanLines } from '../core/src/fs/index.js';
import { claudeCodeLine, codexLine, geminiLine, type LineReader } from './records.js';

// An agent as the usage ledger sees it: who, of which kind, working where, since when, and the
// environment its program runs with (read from its process: where the program keeps its logs
// depends on HOME, CLAUDE_CONFIG_DIR, CODEX_HOME or GEMINI_CLI_HOME).
export interface UsageAgent {
  id: string;
  kind: string;
  cwd: string;
  project: string | null;
  createdAt: string;
  sessionId: string | null;
  env: ReadonlyMap<string, string> | null;
}

// A session log of one agent program, and when its session began.
export interface SessionLog {
  path: string;
  startedAt: number;
}

interface KindLogs {
  reader: LineReader;
  // The logs of sessions `agent` may own (another agent of the kind in the same folder and
  // home may own some: the ledger gives each log to one agent).
  find(agent: UsageAgent): SessionLog[];
}

// The variables that say where the programs keep their logs (all an agent's environment the
// ledger remembers).
export const LOG_VARIABLES = ['HOME', 'CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'GEMINI_CLI_HOME'] as const;

// Sessions that began this long before cmux registered the agent are not its own.
const START_SLACK_MS = 60_000;
const FIRST_LINE_BYTES = 64 * 1024;

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function modifiedAt(path: string): number | null {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats.mtimeMs : null;
  } catch {
    return null;
  }
}

// The head of a log's first line (a Codex one holds the whole system prompt: only its start
// is read).
function firstLine(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let head: string | null = null;
    const result = scanLines(fd, { offset: 0, limit: FIRST_LINE_BYTES, maxLineBytes: FIRST_LINE_BYTES, headBytes: FIRST_LINE_BYTES }, (line) => (head ??= line.text));
    return head ?? result.long?.head ?? null;
  } finally {
    closeSync(fd);
  }
}

const field = (head: string, name: string): string | null => {
  const match = new RegExp(`"${name}":"((?:[^"\\\\]|\\\\.)*)"`).exec(head);
  if (!match) return null;
  try {
    return JSON.parse(`"${match[1]}"`) as string;
  } catch {
    return null;
  }
};

const home = (agent: UsageAgent): string | null => agent.env?.get('HOME') ?? null;
const since = (agent: UsageAgent): number => Date.parse(agent.createdAt) - START_SLACK_MS;

// The logs among `paths` (changed since the agent began) whose first line says they were
// started in the agent's folder after it.
function ownLogs(agent: UsageAgent, paths: string[], matches: (head: string) => boolean, startField: string): SessionLog[] {
  const logs: SessionLog[] = [];
  for (const path of paths) {
    const modified = modifiedAt(path);
    if (modified === null || modified < since(agent)) continue;
    const head = firstLine(path);
    if (head === null || !matches(head)) continue;
    const startedAt = Date.parse(field(head, startField) ?? '');
    if (Number.isFinite(startedAt) && startedAt >= since(agent)) logs.push({ path, startedAt });
  }
  return logs;
}

// Claude Code names each transcript by its session id, which cmux keeps (its SessionStart hook),
// in a folder named after the working folder with every other character than [A-Za-z0-9] a '-'.
const claudeCode: KindLogs = {
  reader: claudeCodeLine,
  find(agent) {
    const dir = agent.env?.get('CLAUDE_CONFIG_DIR') ?? (home(agent) ? join(home(agent)!, '.claude') : null);
    if (!dir || !agent.sessionId) return [];
    const path = join(dir, 'projects', agent.cwd.replace(/[^A-Za-z0-9]/g, '-'), `${agent.sessionId}.jsonl`);
    return modifiedAt(path) === null ? [] : [{ path, startedAt: Date.parse(agent.createdAt) }];
  },
};

// Codex files rollouts by day (its local date); the first line (session_meta) names the folder.
const codex: KindLogs = {
  reader: codexLine,
  find(agent) {
    const dir = agent.env?.get('CODEX_HOME') ?? (home(agent) ? join(home(agent)!, '.codex') : null);
    if (!dir) return [];
    const sessions = join(dir, 'sessions');
    const paths = listDir(sessions).flatMap((year) =>
      listDir(join(sessions, year)).flatMap((month) =>
        listDir(join(sessions, year, month)).flatMap((day) =>
          listDir(join(sessions, year, month, day))
            .filter((name) => /^rollout-.*\.jsonl$/.test(name))
            .map((name) => join(sessions, year, month, day, name)),
        ),
      ),
    );
    return ownLogs(agent, paths, (head) => /"type":"session_meta"/.test(head) && field(head, 'cwd') === agent.cwd, 'timestamp');
  },
};

// Gemini CLI keeps chats per project folder; the first line carries the folder's SHA-256.
const gemini: KindLogs = {
  reader: geminiLine,
  find(agent) {
    const base = agent.env?.get('GEMINI_CLI_HOME') ?? home(agent);
    if (!base) return [];
    const tmp = join(base, '.gemini', 'tmp');
    const hash = createHash('sha256').update(agent.cwd).digest('hex');
    const paths = listDir(tmp).flatMap((project) =>
      listDir(join(tmp, project, 'chats'))
        .filter((name) => /^session-.*\.jsonl$/.test(name))
        .map((name) => join(tmp, project, 'chats', name)),
    );
    return ownLogs(agent, paths, (head) => field(head, 'projectHash') === hash, 'startTime');
  },
};

const KINDS: Readonly<Record<string, KindLogs>> = { 'claude-code': claudeCode, codex, gemini };

// How the logs of `kind` are found and read, or null for a kind that records no usage.
export function kindLogs(kind: string): KindLogs | null {
  return KINDS[kind] ?? null;
}
