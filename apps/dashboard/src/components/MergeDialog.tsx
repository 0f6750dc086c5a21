import { useEffect, useRef, useState } from 'react';
import { api, type MergePreview } from '../api';
import { mergeOutcome } from '../worktree-text';

// How many commits the confirmation lists (it always says how many there are).
const LISTED_COMMITS = 10;

// The confirmation a merge asks for, from the merge preview: the commits it will take, the
// uncommitted files it will leave in the worktree (named), and the offer to commit those first.
// `onMerged` gets the outcome to show; `onClose` is called however the dialog ends.
export function MergeDialog({ agentId, onMerged, onClose }: { agentId: string; onMerged: (outcome: string) => void; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [preview, setPreview] = useState<MergePreview | null>(null);
  const [error, setError] = useState('');
  const [commitFirst, setCommitFirst] = useState(false);
  const [message, setMessage] = useState('');
  const [merging, setMerging] = useState(false);
  useEffect(() => {
    dialog.current?.showModal();
    let stale = false;
    api.mergePreview(agentId).then(
      (p) => !stale && setPreview(p),
      (err: Error) => !stale && setError(err.message),
    );
    return () => {
      stale = true;
    };
  }, [agentId]);
  const merge = async () => {
    setMerging(true);
    setError('');
    try {
      const result = await api.merge(agentId, commitFirst ? { commitUncommitted: true, ...(message.trim() ? { message: message.trim() } : {}) } : {});
      onMerged(mergeOutcome(result));
      dialog.current?.close();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setMerging(false);
    }
  };
  const files = preview?.uncommitted ?? [];
  const takes = preview !== null && (preview.commitCount > 0 || (commitFirst && files.length > 0));
  return (
    <dialog ref={dialog} className="merge-dialog" aria-labelledby="merge-title" onClose={onClose} data-merge-dialog={agentId}>
      <h3 id="merge-title">{preview ? `Merge ${preview.branch} into ${preview.into}?` : 'Merge'}</h3>
      {!preview && !error && <p className="muted">Reading what a merge would take…</p>}
      {preview && (
        <>
          <p data-merge-commits={preview.commitCount}>
            {preview.commitCount === 0 ? `${preview.into} has every commit of ${preview.branch}: no commit to merge.` : `It takes ${preview.commitCount} commit(s):`}
          </p>
          {preview.commitCount > 0 && (
            <ul className="merge-commits">
              {preview.commits.slice(0, LISTED_COMMITS).map((c) => (
                <li key={c.commit}>
                  <code>{c.commit.slice(0, 10)}</code> {c.subject}
                </li>
              ))}
              {preview.commitCount > LISTED_COMMITS && <li className="muted">and {preview.commitCount - LISTED_COMMITS} more</li>}
            </ul>
          )}
          {files.length > 0 && (
            <div className="merge-uncommitted" role="note">
              <p>
                <strong>Not committed, so not merged:</strong> {files.length} file(s) stay only in the worktree unless committed first.
              </p>
              <ul>
                {files.map((f) => (
                  <li key={f.path} data-uncommitted={f.path}>
                    {f.path} <span className="muted">({f.status})</span>
                  </li>
                ))}
              </ul>
              <label className="check">
                <input type="checkbox" checked={commitFirst} onChange={(e) => setCommitFirst(e.target.checked)} /> commit them on {preview.branch} first, then merge
              </label>
              {commitFirst && (
                <input aria-label="commit message" value={message} onChange={(e) => setMessage(e.target.value)} placeholder="commit message (optional)" maxLength={5000} />
              )}
            </div>
          )}
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="merge-actions">
        <button onClick={() => void merge()} disabled={!takes || merging}>
          {commitFirst && files.length > 0 ? 'Commit and merge' : 'Merge'}
        </button>
        <button onClick={() => dialog.current?.close()}>Cancel</button>
      </div>
    </dialog>
  );
}
