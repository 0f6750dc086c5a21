import { closeSync, fstatSync, openSync } from 'node:fs';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { scanLines } from '../core/src/fs/index.js';
import type { KnownAgent, Ledger, LogState, UsageRow } from './ledger-file.js';
import type { LineReader, UsageRecord } from './records.js';
import { kindLogs, LOG_VARIABLES, type UsageAgent } from './sources.js';

// Reads a slice at a time, the event loop served between slices: a log of hundreds of MB
// read for the first time does not stall the server.
const SLICE_BYTES = 16 * 1024 * 1024;
// A line longer than this is skipped unread (its head only is kept): what memory a read takes.
const MAX_LINE_BYTES = 8 * 1024 * 1024;

const hourOf = (at: string): string => {
  const time = Date.parse(at);
  const date = Number.isFinite(time) ? new Date(time) : new Date();
  date.setUTCMinutes(0, 0, 0);
  return date.toISOString();
};

function rowFor(ledger: Ledger, index: Map<string, number>, log: LogState, record: UsageRecord): number {
  const hour = hourOf(record.at);
  const key = `${log.agent}\0${log.project ?? ''}\0${log.kind}\0${record.model}\0${hour}`;
  let row = index.get(key);
  if (row === undefined) {
    row = ledger.rows.push({ agent: log.agent, project: log.project, kind: log.kind, model: record.model, hour, calls: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }) - 1;
    index.set(key, row);
  }
  return row;
}

function add(row: UsageRow, counts: { input: number; output: number; cacheRead: number; cacheWrite: number }, sign: 1 | -1): void {
  row.input = Math.max(0, row.input + sign * counts.input);
  row.output = Math.max(0, row.output + sign * counts.output);
  row.cacheRead = Math.max(0, row.cacheRead + sign * counts.cacheRead);
  row.cacheWrite = Math.max(0, row.cacheWrite + sign * counts.cacheWrite);
}

// Counts one recorded call; a call recorded again (same id as the last one) replaces it.
function count(ledger: Ledger, index: Map<string, number>, log: LogState, record: UsageRecord): void {
  const { id, input, output, cacheRead, cacheWrite } = record;
  if (id !== null && log.last?.id === id) {
    const previous = ledger.rows[log.last.row];
    if (previous) add(previous, log.last, -1);
    if (previous) previous.calls -= 1;
  }
  const row = rowFor(ledger, index, log, record);
  add(ledger.rows[row]!, record, 1);
  ledger.rows[row]!.calls += 1;
  log.last = id === null ? undefined : { id, row, input, output, cacheRead, cacheWrite };
}

// Reads what `path` gained since the last read. A log shorter than what was read was
// replaced: it is read again from its start (what was counted from the old one stays).
async function readLog(ledger: Ledger, index: Map<string, number>, path: string, log: LogState, reader: LineReader): Promise<boolean> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < log.offset) Object.assign(log, { offset: 0, long: undefined, last: undefined });
    const before = log.offset;
    while (log.offset < size) {
      const limit = Math.min(size, log.offset + SLICE_BYTES);
      const result = scanLines(fd, { offset: log.offset, limit, maxLineBytes: MAX_LINE_BYTES, long: log.long }, (line) => {
        if (line.truncated) return;
        const record = reader(line.text, log.context);
        if (record) count(ledger, index, log, record);
      });
      if (result.offset === log.offset && !result.long) break;
      log.offset = result.offset;
      log.long = result.long;
      if (log.offset < size) await yieldToEvents();
    }
    return log.offset !== before;
  } finally {
    closeSync(fd);
  }
}

// An agent gone this long is forgotten (its counted usage stays).
const FORGET_AFTER_MS = 7 * 86_400_000;

// The agents to look for logs of: those registered now, with their program's environment
// (remembered from when it last ran when it is not running), and those seen running before
// that are no longer registered (killed), whose last logs may still be unread.
function agentsToRead(ledger: Ledger, live: readonly UsageAgent[], now: number): { agents: UsageAgent[]; changed: boolean } {
  let changed = false;
  const liveIds = new Set(live.map((agent) => agent.id));
  const fromMemory = (id: string, known: KnownAgent): UsageAgent => ({ id, ...known, env: new Map(Object.entries(known.env)) });
  const agents = live.map((agent) => {
    const known = ledger.agents[agent.id];
    if (agent.env) {
      const env = Object.fromEntries(LOG_VARIABLES.flatMap((name) => (agent.env!.has(name) ? [[name, agent.env!.get(name)!]] : [])));
      const { seenAt = '', ...before } = known ?? {};
      const seen = { kind: agent.kind, cwd: agent.cwd, project: agent.project, createdAt: agent.createdAt, sessionId: agent.sessionId, env };
      // Written when it changed, and its time seen once an hour (not at every read).
      if (JSON.stringify(before) !== JSON.stringify(seen) || now - Date.parse(seenAt) > 3_600_000) {
        ledger.agents[agent.id] = { ...seen, seenAt: new Date(now).toISOString() };
        changed = true;
      }
      return agent;
    }
    return known && known.createdAt === agent.createdAt ? { ...fromMemory(agent.id, known), sessionId: agent.sessionId ?? known.sessionId } : agent;
  });
  for (const [id, known] of Object.entries(ledger.agents)) {
    if (now - Date.parse(known.seenAt) > FORGET_AFTER_MS) {
      delete ledger.agents[id];
      changed = true;
    } else if (!liveIds.has(id)) agents.push(fromMemory(id, known));
  }
  return { agents, changed };
}

// Finds the agents' session logs not yet in the ledger and reads every log from where the last
// read stopped. A log two agents could own (same kind, home and folder) goes to the one
// registered last before the session began. Returns whether anything changed.
export async function readUsage(ledger: Ledger, live: readonly UsageAgent[], now = Date.now()): Promise<boolean> {
  const { agents, changed: remembered } = agentsToRead(ledger, live, now);
  let changed = remembered;
  const claims = new Map<string, { agent: UsageAgent; startedAt: number }>();
  for (const agent of agents) {
    for (const found of kindLogs(agent.kind)?.find(agent) ?? []) {
      if (ledger.logs[found.path]) continue;
      const held = claims.get(found.path);
      const createdAt = Date.parse(agent.createdAt);
      const better = !held || (createdAt <= found.startedAt + 60_000 && createdAt > Date.parse(held.agent.createdAt));
      if (better) claims.set(found.path, { agent, startedAt: found.startedAt });
    }
  }
  for (const [path, { agent }] of claims) {
    ledger.logs[path] = { agent: agent.id, project: agent.project, kind: agent.kind, offset: 0, context: {} };
    changed = true;
  }
  const index = new Map(ledger.rows.map((row, i) => [`${row.agent}\0${row.project ?? ''}\0${row.kind}\0${row.model}\0${row.hour}`, i]));
  for (const [path, log] of Object.entries(ledger.logs)) {
    const logs = kindLogs(log.kind);
    if (logs && (await readLog(ledger, index, path, log, logs.reader))) changed = true;
  }
  return changed;
}
