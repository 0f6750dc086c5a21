import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createHomeFile } from '../fs/index.js';
import { homePaths } from '../paths/index.js';

// The journal folder of a day: journal/YYYY-MM-DD (UTC).
export function journalDay(home: string, at: Date = new Date()): string {
  return join(homePaths(home).journal, at.toISOString().slice(0, 10));
}

// Writes an attachment of today's journal and returns its path. The file name is built from
// a slug of `label` and the time, never taken from a client, so it cannot leave the folder.
export function writeAttachment(home: string, label: string, extension: string, content: string | Buffer, at: Date = new Date()): string {
  const dir = join(journalDay(home, at), 'attachments');
  const slug = attachmentSlug(label);
  const stamp = at.toISOString().slice(11, 23).replace(/[:.]/g, '');
  const ext = extension.replace(/[^a-z0-9]/gi, '').slice(0, 8) || 'txt';
  // The random part keeps two attachments of the same moment apart.
  const file = join(dir, `${stamp}-${slug}-${randomBytes(3).toString('hex')}.${ext}`);
  createHomeFile(home, file, content);
  return file;
}

// The part of an attachment's file name that `label` becomes.
export function attachmentSlug(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'attachment';
}
