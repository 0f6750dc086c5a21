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
