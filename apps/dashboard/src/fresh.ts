import { createContext, useContext, useEffect, useState } from 'react';

// Counts the times the event stream came (back) up; what was fetched or failed before the last
// time may be stale.
export const Reconnects = createContext(0);

// A notice or error line that clears itself when the page reconnects, so "the server does not
// answer" does not outlive the outage it described.
export function useFreshNotice(): [string, (text: string) => void] {
  const [text, setText] = useState('');
  const reconnects = useContext(Reconnects);
  useEffect(() => setText(''), [reconnects]);
  return [text, setText];
}

// The outcome of an action (interrupted, sent): fresh as above, and gone after `ms`.
export function useFadingNotice(ms: number): [string, (text: string) => void] {
  const [notice, setNotice] = useFreshNotice();
  useEffect(() => {
    if (!notice) return;
    const timer = window.setTimeout(() => setNotice(''), ms);
    return () => window.clearTimeout(timer);
  }, [notice, ms]);
  return [notice, setNotice];
}
