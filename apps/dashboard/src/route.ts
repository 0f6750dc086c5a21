import { useCallback, useEffect, useState } from 'react';

export const VIEWS = ['agents', 'tasks', 'messages', 'system'] as const;
export type View = (typeof VIEWS)[number];

// What the address keeps: the view and the agent looked at, as `#/<view>[/<agent>]`, so a
// reload, a bookmark or a link sent to someone opens the same place.
export interface Route {
  view: View;
  agent: string | null;
}

export function parseRoute(hash: string): Route {
  const [view, agent] = hash.replace(/^#\/?/, '').split('/');
  let decoded: string | null = null;
  try {
    decoded = agent ? decodeURIComponent(agent) : null;
  } catch {
    // A mangled link names no agent.
  }
  return { view: (VIEWS as readonly string[]).includes(view ?? '') ? (view as View) : 'agents', agent: decoded };
}

export function routeHash({ view, agent }: Route): string {
  return `#/${view}${agent ? `/${encodeURIComponent(agent)}` : ''}`;
}

// The route in the address bar; `go` changes it (a history entry, so Back goes back).
export function useRoute(): [Route, (next: Partial<Route>) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const go = useCallback((next: Partial<Route>) => {
    setRoute((current) => {
      const route = { ...current, ...next };
      const hash = routeHash(route);
      if (hash !== location.hash) history.pushState(null, '', hash);
      return route;
    });
  }, []);
  return [route, go];
}
