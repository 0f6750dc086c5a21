export { journalDay, writeAttachment } from './attachments.js';
export { addJournalEntry, JOURNAL_DATE, listJournalDates, readJournalDay, searchJournal, type JournalEntry } from './entries.js';
