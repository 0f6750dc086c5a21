export { journalDay, writeAttachment } from './attachments.js';
export { JOURNAL_DATE } from './dates.js';
export { addJournalEntry, listJournalDates, readJournalDay, searchJournal, type JournalEntry } from './entries.js';
export { listJournalFiles, readJournalFile, type JournalFile, type JournalFileKind, type SearchBudget } from './files.js';
export { latestJournalFile } from './latest.js';
export { readKills, recordKill, type KillRecord } from './kills.js';
