import { attachmentSlug } from './attachments.js';
import { listJournalDates } from './entries.js';
import { attachmentNameParts, listJournalFiles, readJournalFile, type JournalFile } from './files.js';

// The newest attachment written under `label` (e.g. `<agent>-pane`, an agent's archived
// terminal) with its text and when it was written, or null when there is none. Labels that
// differ only in case or punctuation share a slug, so they share their attachments too.
export function latestJournalFile(home: string, label: string): (JournalFile & { text: string; at: string }) | null {
  const slug = attachmentSlug(label);
  for (const date of listJournalDates(home)) {
    for (const file of listJournalFiles(home, date).reverse()) {
      const parts = attachmentNameParts(date, file.name);
      if (parts?.slug === slug) return { ...readJournalFile(home, date, file.name), at: parts.at };
    }
  }
  return null;
}
