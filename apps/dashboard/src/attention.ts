import { useEffect, useRef, useState } from 'react';
import type { Agent } from './api';

const TEXT: Record<string, string> = {
  waiting: 'is waiting for your answer',
  done: 'finished its turn',
  exited: 'exited on its own',
};

// The agents that need the person: their count in the page title (an agent looked at since
// its mark appeared no longer counts), and, when the person opts in, a browser notification
// for each new mark while the page is hidden.
export function useAttention(agents: Agent[], selected: string | null) {
  const [seen, setSeen] = useState<Record<string, string>>({});
  const [notifying, setNotifying] = useState(() => localStorage.getItem('cmux-notify') === 'on' && 'Notification' in window && Notification.permission === 'granted');
  const announced = useRef(new Set<string>());
  const marked = agents.filter((a) => a.attention);
  const unseen = marked.filter((a) => seen[a.id] !== a.attention!.since);

  useEffect(() => {
    const current = agents.find((a) => a.id === selected);
    if (current?.attention) setSeen((s) => (s[current.id] === current.attention!.since ? s : { ...s, [current.id]: current.attention!.since }));
  }, [agents, selected]);
  useEffect(() => {
    document.title = unseen.length > 0 ? `(${unseen.length}) cmux` : 'cmux';
  }, [unseen.length]);
  useEffect(() => {
    for (const a of marked) {
      const key = `${a.id}@${a.attention!.since}`;
      if (announced.current.has(key)) continue;
      announced.current.add(key);
      if (notifying && document.hidden) new Notification(`cmux: ${a.name}`, { body: `${a.name} ${TEXT[a.attention!.event] ?? a.attention!.event}`, tag: a.id });
    }
  }, [marked, notifying]);

  return {
    count: unseen.length,
    canNotify: 'Notification' in window,
    notifying,
    async toggleNotify() {
      const next = !notifying && (await Notification.requestPermission()) === 'granted';
      localStorage.setItem('cmux-notify', next ? 'on' : 'off');
      setNotifying(next);
    },
  };
}
