import { useCallback, useEffect, useState } from 'react';
import { api, type JournalEntry, type JournalFile } from '../api';
import { useFreshNotice } from '../fresh';
import { JournalFileText } from './JournalFileText';

// The journal: a day's entries and its files (archived terminals, alert stories, webhook
// bodies), each file openable; a search over entries and files that can be cleared again.
export function JournalView({ at }: { at: { date: string; file: string | null } | null }) {
  const [dates, setDates] = useState<string[]>([]);
  const today = new Date().toISOString().slice(0, 10);
  const [date, setDate] = useState(at?.date ?? today);
  const [entries, setEntries] = useState<JournalEntry[]>([]);
  const [files, setFiles] = useState<JournalFile[]>([]);
  const [query, setQuery] = useState('');
  // The search whose results are shown, or null for the day.
  const [searched, setSearched] = useState<string | null>(null);
  const [opened, setOpened] = useState<{ date: string; name: string } | null>(at?.file ? { date: at.date, name: at.file } : null);
  const [error, setError] = useFreshNotice();

  const showDay = useCallback(
    (day: string) => {
      setSearched(null);
      setDate(day);
      Promise.all([api.journal(day), api.journalFiles(day)]).then(
        ([j, f]) => {
          setEntries(j.entries);
          setFiles(f);
        },
        (e: Error) => setError(e.message),
      );
    },
    [setError],
  );
  useEffect(() => {
    void api.journalDates().then(setDates, () => undefined);
  }, []);
  // The day asked for (a search hit's), with its file open and in view; else today.
  useEffect(() => {
    showDay(at?.date ?? today);
    if (at?.file) setOpened({ date: at.date, name: at.file });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [showDay, at?.date, at?.file]);
  useEffect(() => {
    if (!at?.file || !opened) return;
    document.querySelector<HTMLElement>(`[data-journal-file="${CSS.escape(at.file)}"] button`)?.focus();
  }, [files, at?.file, opened]);

  const clear = () => {
    setQuery('');
    showDay(date);
  };
  const fileButton = (d: string, name: string, title: string) => (
    <button className="link" aria-expanded={opened?.name === name} onClick={() => setOpened(opened?.name === name ? null : { date: d, name })}>
      {opened?.name === name ? 'Close' : 'Open'} {title}
    </button>
  );
  return (
    <section aria-label="journal">
      <h2>Journal</h2>
      <form
        className="journal-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const q = query.trim();
          if (!q) return clear();
          api.journalSearch(q).then(
            (found) => {
              setEntries(found);
              setFiles([]);
              setSearched(q);
            },
            (err: Error) => setError(err.message),
          );
        }}
      >
        <select aria-label="day" value={dates.includes(date) ? date : ''} onChange={(e) => e.target.value && showDay(e.target.value)}>
          {!dates.includes(date) && <option value="">{date} (nothing yet)</option>}
          {dates.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
        <input
          type="search"
          aria-label="search the journal"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && searched !== null && clear()}
          placeholder="search entries and files"
        />
        <button type="submit">Search</button>
        {searched !== null && (
          <button type="button" onClick={clear}>
            Clear search
          </button>
        )}
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {searched !== null && (
        <p role="status" data-search-results={entries.length}>
          {entries.length === 0 ? `Nothing in the journal matches “${searched}”.` : `${entries.length} found for “${searched}”.`}
        </p>
      )}
      {searched === null && files.length > 0 && (
        <ul className="journal-files">
          {files.map((f) => (
            <li key={f.name} data-file-kind={f.kind} data-journal-file={f.name}>
              <time>{f.time}</time> {fileButton(f.date, f.name, f.title)}
              {opened?.name === f.name && <JournalFileText date={f.date} name={f.name} />}
            </li>
          ))}
        </ul>
      )}
      <ul className="journal">
        {entries.map((e, i) => (
          <li key={`${e.date}-${e.time}-${i}`}>
            <b>
              {e.date} {e.time} – {e.title}
            </b>
            <pre>{e.content}</pre>
            {e.file && fileButton(e.date, e.file, 'the whole file')}
            {e.file && opened?.name === e.file && <JournalFileText date={e.date} name={e.file} />}
          </li>
        ))}
        {searched === null && entries.length === 0 && files.length === 0 && <li className="muted">nothing in the journal on {date}</li>}
      </ul>
    </section>
  );
}
