import { dirname } from 'node:path';
import * as z from 'zod';
import { ensureHomeFolder, readHomeFile, replaceHomeFile } from '../core/src/fs/index.js';
import { homePaths } from '../core/src/paths/index.js';

// The usage ledger's file (state/usage.json, written by cmux-server alone): how far each
// session log was read, and the tokens counted so far per agent, model and hour. Hours, not
// calls: a month of a busy team stays a few thousand rows.

const counts = { input: z.number().int().min(0), output: z.number().int().min(0), cacheRead: z.number().int().min(0), cacheWrite: z.number().int().min(0) };

export const usageRowSchema = z.object({
  agent: z.string(),
  project: z.string().nullable(),
  kind: z.string(),
  model: z.string(),
  // The hour the calls were made in (ISO, UTC, minutes zeroed).
  hour: z.string(),
  calls: z.number().int().min(0),
  ...counts,
});

const logStateSchema = z.object({
  agent: z.string(),
  project: z.string().nullable(),
  kind: z.string(),
  // Just past the last complete line read; a long line being skipped carries on in `long`.
  offset: z.number().int().min(0),
  long: z.object({ start: z.number().int().min(0), head: z.string() }).optional(),
  context: z.object({ model: z.string().optional() }),
  // The last call counted, so a later line with the same id replaces it.
  last: z.object({ id: z.string(), row: z.number().int().min(0), ...counts }).optional(),
});

// An agent as last seen running: where its program keeps its logs, so that logs it began
// are still found (and read to their end) after it was killed or removed.
const knownAgentSchema = z.object({
  kind: z.string(),
  cwd: z.string(),
  project: z.string().nullable(),
  createdAt: z.string(),
  sessionId: z.string().nullable(),
  env: z.record(z.string(), z.string()),
  seenAt: z.string(),
});

export const ledgerSchema = z.object({
  version: z.literal(1),
  agents: z.record(z.string(), knownAgentSchema).default({}),
  logs: z.record(z.string(), logStateSchema),
  rows: z.array(usageRowSchema),
});

export type UsageRow = z.infer<typeof usageRowSchema>;
export type LogState = z.infer<typeof logStateSchema>;
export type Ledger = z.infer<typeof ledgerSchema>;
export type KnownAgent = z.infer<typeof knownAgentSchema>;

export const ledgerFile = (home: string): string => homePaths(home).usageLedger;

export const emptyLedger = (): Ledger => ({ version: 1, agents: {}, logs: {}, rows: [] });

// The ledger as last written; a missing file is an empty ledger, and so is a broken one (it is
// rebuilt from the logs, which are the record: `problem` says why it was not used).
export function readLedger(home: string): { ledger: Ledger; problem: string | null } {
  let text: string | null;
  try {
    text = readHomeFile(home, ledgerFile(home));
  } catch (error) {
    return { ledger: emptyLedger(), problem: (error as Error).message };
  }
  if (text === null) return { ledger: emptyLedger(), problem: null };
  try {
    const parsed = ledgerSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { ledger: parsed.data, problem: null };
    return { ledger: emptyLedger(), problem: `it does not fit the ledger's schema (${parsed.error.issues[0]?.message ?? 'unknown'})` };
  } catch (error) {
    return { ledger: emptyLedger(), problem: `it is not JSON (${(error as Error).message})` };
  }
}

export function writeLedger(home: string, ledger: Ledger): void {
  ensureHomeFolder(home, dirname(ledgerFile(home)));
  replaceHomeFile(home, ledgerFile(home), JSON.stringify(ledger));
}
