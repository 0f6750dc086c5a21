import * as z from 'zod';
import { readHomeFile, replaceHomeFile } from '../fs/index.js';
import { withFileLock } from '../lock/index.js';
import { homePaths } from '../paths/index.js';

// A source's name: the part of cmux that holds (`limit`, `budget`…).
export const HOLD_SOURCE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const MAX_REASON_CHARS = 500;

// Why one agent's messages wait, and until when (an ISO time; none: until the source clears it).
export const holdEntrySchema = z.strictObject({
  reason: z.string().min(1).max(MAX_REASON_CHARS),
  until: z.iso.datetime({ offset: true }).optional(),
  since: z.iso.datetime({ offset: true }),
});

const holdsFileSchema = z.strictObject({
  holds: z.record(z.string().regex(HOLD_SOURCE_PATTERN), z.record(z.string().min(1), holdEntrySchema)).default({}),
});

export type HoldEntry = z.infer<typeof holdEntrySchema>;
export type HoldsFile = z.infer<typeof holdsFileSchema>;

// The holds every source has written to state/holds.json, by source and agent id; a file that
// does not parse holds nothing and says why (`problem`), so a torn or hand-edited file never
// stops delivery for good.
export function readHolds(home: string): { holds: HoldsFile['holds']; problem: string | null } {
  let text: string | null;
  try {
    text = readHomeFile(home, homePaths(home).holds);
  } catch (error) {
    return { holds: {}, problem: `${homePaths(home).holds} is unreadable: ${(error as Error).message}` };
  }
  if (text === null) return { holds: {}, problem: null };
  try {
    return { holds: holdsFileSchema.parse(JSON.parse(text)).holds, problem: null };
  } catch (error) {
    const issue = error instanceof z.ZodError ? `${error.issues[0]!.path.join('.')}: ${error.issues[0]!.message}` : (error as Error).message;
    return { holds: {}, problem: `${homePaths(home).holds} is not a holds file (${issue}); nothing is held until it is written again` };
  }
}

// Sets (or with null lifts) one source's hold on one agent. The one writer of state/holds.json:
// a lock and an atomic replace, so two sources writing at once both keep their holds.
export async function setHold(home: string, source: string, agent: string, hold: { reason: string; until?: Date | null } | null): Promise<void> {
  if (!HOLD_SOURCE_PATTERN.test(source)) throw new Error(`hold source ${JSON.stringify(source)} is not a lowercase name`);
  await update(home, (holds) => {
    const mine = { ...(holds[source] ?? {}) };
    if (hold) {
      const entry: HoldEntry = { reason: hold.reason.slice(0, MAX_REASON_CHARS), since: mine[agent]?.since ?? new Date().toISOString() };
      if (hold.until) entry.until = hold.until.toISOString();
      mine[agent] = entry;
    } else delete mine[agent];
    return { ...holds, [source]: mine };
  });
}

async function update(home: string, change: (holds: HoldsFile['holds']) => HoldsFile['holds']): Promise<void> {
  const file = homePaths(home).holds;
  await withFileLock(home, file, async () => {
    const next = change(readHolds(home).holds);
    const kept = Object.fromEntries(Object.entries(next).filter(([, byAgent]) => Object.keys(byAgent).length > 0));
    replaceHomeFile(home, file, `${JSON.stringify({ holds: kept }, null, 1)}\n`);
  });
}
