import { useEffect, useState } from 'react';
import { api, type SearchHit, type SearchKind, type SearchPlace, type SearchResult } from '../api';
import { clock } from '../format';

const KIND_NAMES: Record<SearchKind, string> = { message: 'Messages', terminal: 'Terminals', journal: 'Journal', task: 'Tasks' };

// One search over messages, terminals (live and archived), the journal and tasks. The text is
// in the address (`#/search?q=…`), so a reload or a link runs it again; each hit opens at its
// place through `onOpen`.
export function SearchView({ q, onSearch, onOpen }: { q: string; onSearch: (q: string) => void; onOpen: (place: SearchPlace) => void }) {
  const [text, setText] = useState(q);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => setText(q), [q]);
  useEffect(() => {
    setResult(null);
    setError('');
    if (!q.trim()) return;
    let stale = false;
    setBusy(true);
    api.search(q).then(
      (r) => !stale && setResult(r),
      (e: Error) => !stale && setError(e.message),
    ).finally(() => !stale && setBusy(false));
    return () => {
      stale = true;
    };
  }, [q]);
  return (
    <main className="search-view">
      <h2>Search</h2>
      <form
        role="search"
        className="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(text.trim());
        }}
      >
        <input type="search" aria-label="search everything" value={text} maxLength={200} onChange={(e) => setText(e.target.value)} placeholder="messages, terminals, journal, tasks" />
        <button type="submit">Search</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      <p role="status" className="muted" data-search-total={result?.total ?? ''}>
        {busy ? 'Searching…' : result ? (result.total === 0 ? `Nothing matches “${result.q}”.` : `${result.total} found for “${result.q}”.`) : ''}
      </p>
      {result && result.cut.length > 0 && (
        <ul className="search-cut" aria-label="what the search left out">
          {result.cut.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      )}
      {result &&
        (Object.keys(KIND_NAMES) as SearchKind[]).map((kind) => {
          const groups = result.groups.filter((g) => g.kind === kind);
          if (groups.length === 0) return null;
          return (
            <section key={kind} className="search-kind" data-search-kind={kind} aria-labelledby={`search-${kind}`}>
              <h3 id={`search-${kind}`}>{KIND_NAMES[kind]}</h3>
              {groups.map((g) => (
                <div key={g.agent ?? ''} className="search-group" data-search-agent={g.agent ?? ''}>
                  <h4>{g.agent ?? 'no agent'}</h4>
                  <ul>
                    {g.hits.map((hit, i) => (
                      <li key={i}>
                        <button className="link" onClick={() => onOpen(hit.place)}>
                          {hit.title}
                        </button>{' '}
                        {hit.at && <time className="muted">{when(hit)}</time>}
                        <pre>{hit.excerpt}</pre>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </section>
          );
        })}
    </main>
  );
}

function when(hit: SearchHit): string {
  return hit.at && /T/.test(hit.at) ? clock(hit.at) : (hit.at ?? '');
}
