import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, type Agent, type Dialog } from '../api';
import { who } from '../format';

const REREAD_MS = 3_000;

// The dialog a waiting agent shows, read from its screen, with its choices as buttons. An answer
// carries the question it was meant for: when the screen asks something else by then, the server
// refuses it, and this says so and shows the dialog that is there now. Given `screen` (an
// overview card's pushed last lines), it reads the dialog again when that changes instead of
// on a timer; given `onAnswered`, it hands the outcome line to its host (a card that moves to
// another group when its agent stops waiting) instead of showing it.
export function DialogAnswer({ agent, screen, onAnswered }: { agent: Agent; screen?: string; onAnswered?: (text: string) => void }) {
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [refused, setRefused] = useState('');
  const [answered, setAnswered] = useState('');
  const [sending, setSending] = useState(false);
  // The answer's buttons go once it is taken: the focus moves to the line that says so.
  const outcome = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (answered) outcome.current?.focus();
  }, [answered]);

  const read = useCallback(async () => {
    try {
      const { dialog: shown } = await api.dialog(agent.id);
      setDialog(shown);
      if (shown) setAnswered('');
    } catch (err) {
      setRefused((err as Error).message);
    }
  }, [agent.id]);
  // Read again while it waits: one dialog can follow another without the status changing.
  const pushed = screen !== undefined;
  useEffect(() => {
    if (agent.status !== 'waiting') return setDialog(null);
    void read();
    if (pushed) return;
    const timer = window.setInterval(() => void read(), REREAD_MS);
    return () => window.clearInterval(timer);
  }, [agent.status, agent.statusSince, read, pushed, screen]);

  const answer = async (shown: Dialog, choice: string) => {
    setSending(true);
    setRefused('');
    setAnswered('');
    try {
      await api.answer(agent.id, choice, shown.question);
      const said = `Answered “${choice}” to “${shown.question}”.`;
      if (onAnswered) onAnswered(said);
      else setAnswered(said);
      setDialog(null);
    } catch (err) {
      const stale = err instanceof ApiError && err.code === 'CMUX_ERR_NO_DIALOG';
      setRefused(stale ? `Not answered: ${err.message}. Nothing was typed; look again and choose.` : `Not answered: ${(err as Error).message}`);
      await read();
    } finally {
      setSending(false);
    }
  };

  if (!dialog && !refused && !answered) return null;
  return (
    <section className="dialog-answer" aria-label="dialog">
      {refused && (
        <p className="error" role="alert" data-refused>
          {refused}
        </p>
      )}
      {answered && !dialog && (
        <p className="notice" role="status" ref={outcome} tabIndex={-1}>
          {answered}
        </p>
      )}
      {dialog && (
        <>
          <p className="dialog-question" data-question={dialog.question}>
            <span className="dialog-label">{who(agent)} asks</span> {dialog.question || '(a dialog without a question line)'}
          </p>
          <div className="dialog-choices" role="group" aria-label="answers">
            {dialog.choices.map((choice, i) => (
              <button key={`${i}:${choice}`} onClick={() => void answer(dialog, choice)} disabled={sending} data-choice={choice} className={dialog.cursor === i ? 'current' : ''}>
                {choice}
              </button>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
