import { useState } from 'react';
import { useFreshNotice } from '../fresh';

// Multi-line message input: Enter sends, Shift+Enter starts a new line. `label` names it where
// several show at once (the grid's).
export function MessageBox({ onSend, disabled, label = 'message' }: { onSend: (text: string) => Promise<void>; disabled?: boolean; label?: string }) {
  const [text, setText] = useState('');
  const [error, setError] = useFreshNotice();
  const send = async () => {
    if (!text.trim()) return;
    try {
      await onSend(text);
      setText('');
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="message-box">
      <textarea
        aria-label={label}
        value={text}
        disabled={disabled}
        placeholder="Message (Enter sends, Shift+Enter for a new line)"
        rows={3}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <button onClick={() => void send()} disabled={disabled}>
        Send
      </button>
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}
