import { Command } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { addJournalEntry, listJournalDates, listJournalFiles, readJournalDay, searchJournal, type JournalEntry } from '../../core/src/journal/index.js';
import { printJson, say, warn } from '../output.js';
import { readTextArgument } from '../text-argument.js';

function printEntries(entries: JournalEntry[], json?: boolean): void {
  if (json) return printJson(entries);
  if (entries.length === 0) return say('no entries');
  for (const e of entries) say(`## ${e.date} ${e.time} - ${e.title}${e.file ? ` (attachments/${e.file})` : ''}\n\n${e.content}\n`);
}

// Says on stderr, once each, what a listing or search left out (a link or FIFO in the journal).
function skipped(): (problem: string) => void {
  const said = new Set<string>();
  return (problem) => {
    if (!said.has(problem)) warn(`cmux: warning: ${problem}`);
    said.add(problem);
  };
}

const add = new Command('add')
  .description('add an entry to today\'s journal')
  .requiredOption('--title <text>')
  .option('--content <text>', 'the entry (- reads stdin)', '')
  .action(async (opts: { title: string; content: string }) => {
    const entry = await addJournalEntry(loadConfig().home, { title: opts.title, content: await readTextArgument(opts.content) });
    say(`added "${entry.title}" at ${entry.date} ${entry.time}`);
  });

const show = new Command('show')
  .description('show one day of the journal (default today), or list the days')
  .option('--date <YYYY-MM-DD>')
  .option('--dates', 'list the days that have entries or files')
  .option('--files', "list the day's files: archived terminals, alert stories, webhook and message bodies")
  .option('--json', 'print JSON')
  .action((opts: { date?: string; dates?: boolean; files?: boolean; json?: boolean }) => {
    const { home } = loadConfig();
    const date = opts.date ?? new Date().toISOString().slice(0, 10);
    if (opts.dates) {
      const dates = listJournalDates(home, skipped());
      return opts.json ? printJson(dates) : say(dates.join('\n') || 'no journal yet');
    }
    if (opts.files) {
      const files = listJournalFiles(home, date, skipped());
      if (opts.json) return printJson(files);
      return say(files.map((f) => `${f.time}  ${f.kind.padEnd(8)}  ${f.title}  attachments/${f.name}`).join('\n') || `no files on ${date}`);
    }
    printEntries(readJournalDay(home, date), opts.json);
  });

const search = new Command('search')
  .description('find entries and files whose title or text contains the words')
  .argument('<text>')
  .option('--json', 'print JSON')
  .action((text: string, opts: { json?: boolean }) => printEntries(searchJournal(loadConfig().home, text, undefined, skipped()), opts.json));

export const journalCommand = new Command('journal')
  .description('the journal: add, show, search')
  .addCommand(add.exitOverride())
  .addCommand(show.exitOverride())
  .addCommand(search.exitOverride());
