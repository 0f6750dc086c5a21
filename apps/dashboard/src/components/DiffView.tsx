import 'diff2html/bundles/css/diff2html.min.css';
import './diff-view.css';
import { Diff2HtmlUI } from 'diff2html/lib-esm/ui/js/diff2html-ui-slim.js';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ColorSchemeType } from 'diff2html/lib-esm/types.js';
import { api, type Diff } from '../api';
import { useFreshNotice } from '../fresh';

// What a worktree worker changed since its base (commits, edits and new files), drawn by
// diff2html with highlight.js colouring; reloaded on demand, since an agent edits all the time.
export function DiffView({ agentId, theme }: { agentId: string; theme: string }) {
  const [diff, setDiff] = useState<Diff | null>(null);
  const [error, setError] = useFreshNotice();
  const target = useRef<HTMLDivElement>(null);
  const load = useCallback(() => {
    setError('');
    api.diff(agentId).then(setDiff, (err: Error) => setError(err.message));
  }, [agentId]);
  useEffect(load, [load]);
  useEffect(() => {
    if (!target.current) return;
    target.current.replaceChildren();
    if (!diff || diff.patch === '') return;
    const ui = new Diff2HtmlUI(target.current, diff.patch, {
      drawFileList: false,
      matching: 'lines',
      outputFormat: 'line-by-line',
      highlight: true,
      colorScheme: theme === 'dark' ? ColorSchemeType.DARK : ColorSchemeType.LIGHT,
    });
    ui.draw();
    ui.highlightCode();
  }, [diff, theme]);
  return (
    <section className="diff" data-testid="diff">
      <header>
        <h3>Changes</h3>
        {diff && (
          <span className="muted">
            {diff.branch} since {diff.base.slice(0, 10)}
          </span>
        )}
        <button onClick={load}>Reload</button>
      </header>
      {error && <p className="error">{error}</p>}
      {diff && diff.files.length === 0 && <p className="muted">No changes yet.</p>}
      {diff && diff.files.length > 0 && (
        <ul className="diff-files">
          {diff.files.map((f) => (
            <li key={f.path} data-file={f.path} data-file-status={f.status}>
              <span className={`file-status ${f.status}`}>{f.status}</span> {f.from ? `${f.from} → ` : ''}
              {f.path}
              <span className="counts">{f.additions === null ? 'binary' : <><b className="add">+{f.additions}</b> <b className="del">−{f.deletions}</b></>}</span>
            </li>
          ))}
        </ul>
      )}
      {diff?.truncated && <p className="muted">The patch is cut here; `cmux diff` shows all of it.</p>}
      {/* Focusable: a patch wider than the screen scrolls sideways by the keyboard too. */}
      <div ref={target} className="diff-patch" tabIndex={0} role="region" aria-label="the patch" />
    </section>
  );
}
