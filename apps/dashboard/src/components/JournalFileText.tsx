import { useContext, useEffect, useState } from 'react';
import { api } from '../api';
import { Reconnects, useFreshNotice } from '../fresh';

// One journal file's text (an alert's story, an archived terminal, a webhook body), fetched
// when shown, and again after a reconnect if it failed.
export function JournalFileText({ date, name }: { date: string; name: string }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useFreshNotice();
  const reconnects = useContext(Reconnects);
  useEffect(() => {
    api.journalFile(date, name).then((f) => setText(f.text), (e: Error) => setError(e.message));
  }, [date, name, reconnects, setError]);
  if (error) return <p className="error" role="alert">{error}</p>;
  return (
    <pre className="journal-file" data-journal-file={name} tabIndex={0} aria-label={`journal file ${name}`}>
      {text === null ? 'Loading…' : text.trimEnd()}
    </pre>
  );
}

// The journal day and file name of a path under $CMUX_HOME/journal (what an alert carries).
export function journalFileOf(path: string): { date: string; name: string } | null {
  const match = /\/journal\/(\d{4}-\d{2}-\d{2})\/attachments\/([^/]+)$/.exec(path);
  return match ? { date: match[1]!, name: match[2]! } : null;
}
