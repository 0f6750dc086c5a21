import type { Message } from '../api';

// Where the message just sent stands: queued (and why it waits, e.g. a dialog on screen),
// being typed, delivered, or not delivered and why. Undefined until the history has it.
export function SentState({ message }: { message: Message | undefined }) {
  const status = message?.status ?? 'queued';
  const waiting = message?.detail?.startsWith('waiting:') ? message.detail.slice('waiting:'.length).trim() : '';
  const text =
    status === 'dead'
      ? `Not delivered: ${message?.detail ?? 'the router gave up'}`
      : status === 'delivered'
        ? 'Delivered.'
        : status === 'delivering'
          ? 'Being typed in…'
          : waiting
            ? `Waiting, not typed: ${waiting}`
            : 'Queued: it is typed in when the agent is ready.';
  return (
    <p className={`sent-state ${status}`} role={status === 'dead' ? 'alert' : 'status'} data-sent-state={status} data-waiting={waiting ? 'true' : 'false'}>
      {text}
    </p>
  );
}
