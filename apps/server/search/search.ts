import type { AgentDeps } from '../../agents/index.js';
import type { HistoryStore, StoredMessage } from '../../core/src/history/index.js';
import { searchJournal, type JournalEntry, type SearchBudget } from '../../core/src/journal/index.js';
import type { OnSkipped } from '../../core/src/fs/index.js';
import { listAgentWindows } from '../../registry/index.js';
import type { TaskStore } from '../../tasks/index.js';

export const SEARCH_KINDS = ['message', 'terminal', 'journal', 'task'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

// What one search may cost: the newest messages it reads, the scrollback of each live pane, and
// the bytes of journal days and attachments (archived terminals among them).
export const SEARCH_BOUNDS = { messages: 20_000, paneLines: 2_000, journalBytes: 32 * 1024 * 1024, lineChars: 300 } as const;

// Where a hit opens in the dashboard: a message in its conversation, a live terminal, an entry or
// a file of the journal (an archived terminal), a task on the board.
export type SearchPlace =
  | { view: 'messages'; id: string; agent: string | null }
  // `find`: the text searched for, `up`: how many lines above the pane's last line it was.
  | { view: 'agent'; agent: string; find: string; up: number }
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

export interface SearchGroup {
  kind: SearchKind;
  agent: string | null;
  hits: SearchHit[];
}

export interface SearchResult {
  q: string;
  total: number;
  groups: SearchGroup[];
  // What the search left unread or unshown, for a person ("messages: only the newest 20000 read");
  // empty when it saw everything.
  cut: string[];
}

export interface SearchSources {
  history: HistoryStore;
  tasks: TaskStore;
  agents: AgentDeps;
}

// Searches messages, live and archived terminals, the journal and tasks for `q` (plain text,
// case-insensitive: no pattern), at most `limit` hits of each kind, grouped by kind and agent.
export async function searchEverything(sources: SearchSources, q: string, limit: number, onSkipped: OnSkipped): Promise<SearchResult> {
  const needle = q.toLowerCase();
  const cut: string[] = [];
  const full = (kind: string, hits: readonly unknown[]) => hits.length >= limit && cut.push(`${kind}: only the first ${limit} hits are shown`);

  const found = sources.history.search(needle, { limit, scan: SEARCH_BOUNDS.messages });
  if (found.cut) cut.push(`messages: only the newest ${SEARCH_BOUNDS.messages} were read`);
  const messages = found.messages.map((m) => messageHit(m, needle));
  full('messages', messages);

  const live = await searchPanes(sources.agents, needle, limit);
  const budget: SearchBudget = { bytes: SEARCH_BOUNDS.journalBytes, cut: false };
  const journal = searchJournal(sources.agents.config.home, q, limit * 2, onSkipped, budget).map(journalHit);
  if (budget.cut) cut.push(`journal and archived terminals: stopped after ${SEARCH_BOUNDS.journalBytes / 1024 / 1024} MB, older days were not read`);
  const terminals = [...live, ...journal.filter((h) => h.kind === 'terminal')].slice(0, limit);
  full('terminals', terminals);
  const entries = journal.filter((h) => h.kind === 'journal').slice(0, limit);
  full('journal', entries);

  const tasks = sources.tasks.search(needle, limit).map((t): SearchHit => ({
    kind: 'task',
    agent: t.assignee,
    title: `#${t.id} ${t.title}`,
    excerpt: excerptOf(`${t.title}\n${t.description ?? ''}`, needle),
    at: t.updated,
    place: { view: 'task', id: t.id },
  }));
  full('tasks', tasks);

  const hits = [...messages, ...terminals, ...entries, ...tasks];
  return { q, total: hits.length, groups: groupHits(hits), cut };
}

// By kind (in SEARCH_KINDS' order), then by agent (by name, the hits without one last); each
// group keeps its hits' order.
function groupHits(hits: readonly SearchHit[]): SearchGroup[] {
  const groups = new Map<string, SearchGroup>();
  for (const hit of hits) {
    const key = `${hit.kind}\0${hit.agent ?? ''}`;
    if (!groups.has(key)) groups.set(key, { kind: hit.kind, agent: hit.agent, hits: [] });
    groups.get(key)!.hits.push(hit);
  }
  const rank = (g: SearchGroup) => SEARCH_KINDS.indexOf(g.kind);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b) || (a.agent === null ? 1 : 0) - (b.agent === null ? 1 : 0) || (a.agent ?? '').localeCompare(b.agent ?? ''));
}

// A message is filed under the agent at its other end from the user (its sender between agents).
function messageHit(m: StoredMessage, needle: string): SearchHit {
  const agent = m.from !== 'user' ? m.from : m.to !== 'user' ? m.to : null;
  return {
    kind: 'message',
    agent,
    title: `${m.from} → ${m.to}: ${m.subject}`,
    excerpt: excerptOf(`${m.subject}\n${m.body ?? ''}`, needle),
    at: m.ts,
    place: { view: 'messages', id: m.id, agent },
  };
}

const ARCHIVED_TERMINAL = /^terminal of (.+)$/;

function journalHit(e: JournalEntry): SearchHit {
  const archived = e.file ? ARCHIVED_TERMINAL.exec(e.title) : null;
  const place: SearchPlace = { view: 'journal', date: e.date, time: e.time, ...(e.file ? { file: e.file } : {}) };
  return { kind: archived ? 'terminal' : 'journal', agent: archived?.[1] ?? null, title: archived ? `archived ${e.title}` : e.title, excerpt: e.content, at: `${e.date} ${e.time}`, place };
}

// The lines of each live agent's pane (its scrollback too) that contain `needle`, a few per agent.
async function searchPanes(deps: AgentDeps, needle: string, limit: number): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  for (const { agent, window } of (await listAgentWindows(deps)).agents) {
    if (!window || window.paneDead || hits.length >= limit) continue;
    const text = await deps.tmux.capturePane(window.windowId, { historyLines: SEARCH_BOUNDS.paneLines }).catch(() => '');
    const lines = text.replace(/\n+$/, '').split('\n');
    lines.forEach((line, i) => {
      if (hits.length < limit && line.toLowerCase().includes(needle)) {
        hits.push({ kind: 'terminal', agent: agent.id, title: `terminal of ${agent.id}, ${lines.length - i} lines up`, excerpt: clip(line, needle), at: null, place: { view: 'agent', agent: agent.id, find: needle, up: lines.length - 1 - i } });
      }
    });
  }
  return hits;
}

// The line of `text` holding `needle` (the first line when none does: it matched an address),
// cut to a readable length.
function excerptOf(text: string, needle: string): string {
  const lines = text.split('\n');
  const line = lines.find((l) => l.toLowerCase().includes(needle)) ?? lines[0]!;
  return clip(line, needle);
}

// A long line cut around the needle.
function clip(line: string, needle: string): string {
  const max = SEARCH_BOUNDS.lineChars;
  if (line.length <= max) return line;
  const at = Math.max(0, line.toLowerCase().indexOf(needle) - max / 3);
  return `${at > 0 ? '…' : ''}${line.slice(at, at + max)}…`;
}
