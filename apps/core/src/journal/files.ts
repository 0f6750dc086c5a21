import { join } from 'node:path';
import { CmuxError } from '../errors/index.js';
import { entryError, listHomeFolder, readHomeFile, skipUnsafe, type OnSkipped } from '../fs/index.js';
import { homePaths } from '../paths/index.js';
import { assertJournalDate } from './dates.js';

// What writeAttachment names a file: HHMMSSmmm-<slug>-<6 hex>.<ext>. Nothing else is served,
// so a client's name never reaches a path unchecked.
const FILE_NAME = /^(\d{2})(\d{2})(\d{2})(\d{3})-([a-z0-9-]{1,60})-[0-9a-f]{6}\.([a-z0-9]{1,8})$/;
const SEARCHED_BYTES = 1024 * 1024;
const EXCERPT_LINES = 2;

export type JournalFileKind = 'terminal' | 'alert' | 'webhook' | 'message' | 'other';

// An attachment of a day's journal: an archived terminal, an alert's story, a webhook or
// message body.
export interface JournalFile {
  date: string;
  name: string;
  time: string;
  kind: JournalFileKind;
  // A title for a person, e.g. "terminal of api-worker".
  title: string;
  bytes: number;
}

function attachments(home: string, date: string): string {
  assertJournalDate(date);
  return join(homePaths(home).journal, date, 'attachments');
}

function describe(date: string, name: string, bytes: number): JournalFile | null {
  const match = FILE_NAME.exec(name);
  if (!match) return null;
  const [, hh, mm, ss, , label, ext] = match as unknown as [string, string, string, string, string, string, string];
  const time = `${hh}:${mm}:${ss}`;
  const file = (kind: JournalFileKind, title: string): JournalFile => ({ date, name, time, kind, title, bytes });
  if (label.endsWith('-pane')) return file('terminal', `terminal of ${label.slice(0, -'-pane'.length)}`);
  if (label.startsWith('webhook-')) return file('webhook', `webhook ${label.slice('webhook-'.length)}`);
  if (label.startsWith('message-')) return file('message', `body of message ${label.slice('message-'.length)}`);
  // Alerts are the only other writer of markdown (raiseAlert: <source>-<kind>.md).
  if (ext === 'md') return file('alert', `alert ${label}`);
  return file('other', label);
}

// When an attachment of `date` was written (to the millisecond) and its label's slug, read
// from its name.
export function attachmentNameParts(date: string, name: string): { at: string; slug: string } | null {
  const match = FILE_NAME.exec(name);
  if (!match) return null;
  const [, hh, mm, ss, ms, slug] = match as unknown as [string, string, string, string, string, string];
  return { at: `${date}T${hh}:${mm}:${ss}.${ms}Z`, slug };
}

// The attachments of one day, oldest first (empty when the day has none). One that is not a
// regular file is left out, and `onSkipped` told.
export function listJournalFiles(home: string, date: string, onSkipped: OnSkipped = () => undefined): JournalFile[] {
  return listHomeFolder(home, attachments(home, date)).flatMap((entry) => {
    const file = describe(date, entry.name, entry.stat.size);
    if (!file) return [];
    const error = entryError(entry, 'regular file');
    if (error) onSkipped(error.message);
    return error ? [] : [file];
  });
}

// One attachment's text.
export function readJournalFile(home: string, date: string, name: string): JournalFile & { text: string } {
  const dir = attachments(home, date);
  if (!FILE_NAME.test(name)) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `not a journal file name: ${JSON.stringify(name.slice(0, 80))}`);
  const text = readHomeFile(home, join(dir, name));
  if (text === null) throw new CmuxError('CMUX_ERR_JOURNAL_FILE_NOT_FOUND', `no journal file ${name} on ${date}`, { context: { date, name } });
  return { ...describe(date, name, Buffer.byteLength(text))!, text };
}

// The lines around the first line of `text` that contains `needle` (lower case), or null.
function excerptAround(text: string, needle: string): string | null {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => line.toLowerCase().includes(needle));
  if (at < 0) return null;
  return lines.slice(Math.max(0, at - EXCERPT_LINES), at + EXCERPT_LINES + 1).join('\n');
}

// What a search may still read, in bytes, over all the files it opens; `cut` once it ran out.
export interface SearchBudget {
  bytes: number;
  cut: boolean;
}

// Takes a file's bytes from the budget: false (and the budget marked cut) when it ran out.
export function spend(budget: SearchBudget, bytes: number): boolean {
  if (budget.bytes <= 0) return !(budget.cut = true);
  budget.bytes -= bytes;
  return true;
}

// The attachments of a day whose title or text (its first MB) contains `needle` (lower case),
// with the lines around the first hit. Only the first MB of each is read, while the budget lasts.
export function searchJournalFiles(home: string, date: string, needle: string, onSkipped: OnSkipped, budget: SearchBudget = { bytes: Number.POSITIVE_INFINITY, cut: false }): Array<JournalFile & { excerpt: string }> {
  return listJournalFiles(home, date, onSkipped)
    .reverse()
    .flatMap((file) => {
      if (!spend(budget, Math.min(file.bytes, SEARCHED_BYTES))) return [];
      const text = skipUnsafe(() => readHomeFile(home, join(attachments(home, date), file.name), SEARCHED_BYTES), null, onSkipped) ?? undefined;
      if (text === undefined) return [];
      const excerpt = excerptAround(text, needle) ?? (file.title.toLowerCase().includes(needle) ? text.split('\n').slice(-EXCERPT_LINES * 2 - 1).join('\n') : null);
      return excerpt === null ? [] : [{ ...file, excerpt }];
    });
}
