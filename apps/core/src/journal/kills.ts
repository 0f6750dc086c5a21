import { basename, dirname } from 'node:path';
import { appendToHomeFile, newestJsonLines } from '../fs/index.js';
import { withFileLock } from '../lock/index.js';
import { homePaths } from '../paths/index.js';
import { addJournalEntry } from './entries.js';

const READ_TAIL_BYTES = 1024 * 1024;

// A killed agent as the dashboard keeps listing it: who it was, and where its terminal went.
export interface KillRecord {
  id: string;
  name: string;
  role: string;
  kind?: string | undefined;
  project?: string | undefined;
  createdAt: string;
  killedAt: string;
  // The journal file with its archived terminal (GET /api/journal/files/:date/:name), or null
  // when its window was gone already.
  archive: { date: string; name: string } | null;
}

function killsFile(home: string): string {
  return homePaths(home).killed;
}

// Records a kill: a line in state/killed.jsonl and a journal entry naming the archived
// terminal, so the journal shows the kill and its search finds the agent.
export async function recordKill(
  home: string,
  agent: Pick<KillRecord, 'id' | 'name' | 'role' | 'kind' | 'project' | 'createdAt'>,
  archivePath: string | null,
  at: Date = new Date(),
): Promise<KillRecord> {
  const archive = archivePath ? { date: basename(dirname(dirname(archivePath))), name: basename(archivePath) } : null;
  const killed: KillRecord = { id: agent.id, name: agent.name, role: agent.role, kind: agent.kind, project: agent.project, createdAt: agent.createdAt, killedAt: at.toISOString(), archive };
  const log = killsFile(home);
  await withFileLock(home, log, async () => appendToHomeFile(home, log, `${JSON.stringify(killed)}\n`));
  await addJournalEntry(
    home,
    { title: `killed agent ${agent.id}`, content: archive ? `Its terminal is archived in attachments/${archive.name}.` : 'Its window was gone already: no terminal to archive.' },
    at,
  );
  return killed;
}

// The kills, newest first.
export function readKills(home: string, limit: number): KillRecord[] {
  return newestJsonLines<KillRecord>(home, killsFile(home), limit, READ_TAIL_BYTES);
}
