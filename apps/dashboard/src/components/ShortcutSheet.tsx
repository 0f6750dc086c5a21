import { useEffect, useRef } from 'react';
import { SHORTCUTS } from '../shortcuts';

// The shortcuts, listed by `?`: a modal the focus enters and leaves (Esc or Close) back to
// where it was.
export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  // The page draws again every second: the focus is taken and given back once, not at each.
  const closing = useRef(onClose);
  closing.current = onClose;
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') closing.current();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      before?.focus();
    };
  }, []);
  return (
    <div className="sheet-backdrop">
      <section className="shortcut-sheet" role="dialog" aria-modal="true" aria-labelledby="shortcut-title">
        <h2 id="shortcut-title">Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.key} data-shortcut={s.key}>
                <th scope="row">
                  <kbd>{s.key}</kbd>
                </th>
                <td>{s.does}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Not while typing in a field or into a terminal. Esc closes.</p>
        <button ref={close} onClick={onClose}>
          Close
        </button>
      </section>
    </div>
  );
}
