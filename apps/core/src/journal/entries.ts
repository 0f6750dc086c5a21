import { existsSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { CmuxError } from '../errors/index.js';
import { appendToHomeFile, entryError, listHomeFolder, readHomeFile, skipUnsafe, withHomeFile, type OnSkipped } from '../fs/index.js';
import { withFileLock } from '../lock/index.js';
import { homePaths } from '../paths/index.js';
import { journalDay } from './attachments.js';
import { assertJournalDate, JOURNAL_DATE } from './dates.js';
import { listJournalFiles, searchJournalFiles, spend, type SearchBudget } from './files.js';
const ENTRY_HEADING = /^## (\d{2}:\d{2}) - (.*)$/;
const MAX_SEARCH_RESULTS = 200;

export interface JournalEntry {
  date: string;
  time: string;
  title: string;
  content: string;
  // Set when the hit is an attachment (an archived terminal, an alert's story): its file name.
  file?: string;
}

// Appends `## HH:MM - Title` and the content to today's journal.md, under its lock.
export async function addJournalEntry(home: string, entry: { title: string; content: string }, at: Date = new Date()): Promise<JournalEntry> {
  const title = entry.title.replace(/\s+/g, ' ').trim();
  if (title === '') throw new CmuxError('CMUX_ERR_BAD_REQUEST', 'title is empty');
  const dir = journalDay(home, at);
  const file = join(dir, 'journal.md');
  const time = at.toISOString().slice(11, 16);
  const content = entry.content.replace(/\r\n?/g, '\n').trimEnd();
  // A line of the content that looks like an entry heading would split the entry on reading.
  const safe = content.replace(/^## /gm, '\\## ');
  await withFileLock(home, file, async () => {
    const header = existsSync(file) ? '' : `# Journal ${at.toISOString().slice(0, 10)}\n`;
    appendToHomeFile(home, file, `${header}\n## ${time} - ${title}\n\n${safe}\n`);
  });
  return { date: at.toISOString().slice(0, 10), time, title, content };
}

// The entries of one day, oldest first (empty when the day has none).
export function readJournalDay(home: string, date: string): JournalEntry[] {
  assertJournalDate(date);
  const text = readHomeFile(home, join(homePaths(home).journal, date, 'journal.md'));
  if (text === null) return [];
  const entries: JournalEntry[] = [];
  let current: JournalEntry | null = null;
  for (const line of text.split('\n')) {
    const heading = ENTRY_HEADING.exec(line);
    if (heading) {
      if (current) entries.push(current);
      current = { date, time: heading[1]!, title: heading[2]!, content: '' };
    } else if (current) {
      current.content += `${line.replace(/^\\## /, '## ')}\n`;
    }
  }
  if (current) entries.push(current);
  return entries.map((e) => ({ ...e, content: e.content.trim() }));
}

// The days that have a journal (entries or attachments), newest first. A day that is not a
// real folder, or holds a link or FIFO where its journal or attachments go, is left out and
// `onSkipped` told.
export function listJournalDates(home: string, onSkipped: OnSkipped = () => undefined): string[] {
  return listHomeFolder(home, homePaths(home).journal)
    .filter((day) => JOURNAL_DATE.test(day.name))
    .filter((day) => {
      const error = entryError(day, 'folder');
      if (error) onSkipped(error.message);
      return error === null && skipUnsafe(() => listHomeFolder(home, day.path).some((e) => e.name === 'journal.md') || listJournalFiles(home, day.name, onSkipped).length > 0, false, onSkipped);
    })
    .map((day) => day.name)
    .reverse();
}

// Entries and attachments whose title or text contains `query` (case-insensitive), newest
// first; an attachment's hit carries the lines around it and its file name. A day or file that
// cannot be read safely is left out and `onSkipped` told.
// `budget` bounds the bytes read (day files and attachments); once it runs out the search stops
// with what it found, and says so in `budget.cut`.
export function searchJournal(home: string, query: string, limit = 50, onSkipped: OnSkipped = () => undefined, budget: SearchBudget = { bytes: Number.POSITIVE_INFINITY, cut: false }): JournalEntry[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') throw new CmuxError('CMUX_ERR_BAD_REQUEST', 'the search text is empty');
  const found: JournalEntry[] = [];
  for (const date of listJournalDates(home, onSkipped)) {
    const day = join(homePaths(home).journal, date, 'journal.md');
    const size = skipUnsafe(() => withHomeFile(home, day, 'read', (fd) => fstatSync(fd).size), null, onSkipped) ?? 0;
    if (!spend(budget, size)) break;
    const entries = skipUnsafe(() => readJournalDay(home, date), [], onSkipped).filter((e) => `${e.title}\n${e.content}`.toLowerCase().includes(needle));
    const files = searchJournalFiles(home, date, needle, onSkipped, budget).map((f): JournalEntry => ({ date, time: f.time.slice(0, 5), title: f.title, content: f.excerpt, file: f.name }));
    // Newest first; the sort is stable, so entries of one minute keep their order.
    found.push(...[...entries.reverse(), ...files].sort((a, b) => b.time.localeCompare(a.time)));
    if (found.length >= Math.min(limit, MAX_SEARCH_RESULTS)) return found.slice(0, Math.min(limit, MAX_SEARCH_RESULTS));
  }
  return found;
}
