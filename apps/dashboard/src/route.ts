import { useCallback, useEffect, useState } from 'react';

export const VIEWS = ['agents', 'grid', 'tasks', 'messages', 'search', 'system'] as const;
export type View = (typeof VIEWS)[number];

// The most agents the grid shows side by side.
export const GRID_MAX = 6;

// What the address keeps: the view and the agent looked at, as `#/<view>[/<agent>]`, or the
// grid's agents, as `#/grid/<agent>,<agent>…`, so a reload, a bookmark or a link sent to
// someone opens the same place. `grid` is kept while other views are looked at, so the grid
// comes back as it was left. A view's own state (the search's text, the messages' filters, the
// place a search hit opened) follows a `?` as URL parameters: `#/search?q=deploy`.
export interface Route {
  view: View;
  agent: string | null;
  grid: readonly string[];
  query: Readonly<Record<string, string>>;
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split(/\?(.*)/s);
  const [view, rest] = path.split('/');
  let decoded: string | null = null;
  try {
    decoded = rest ? decodeURIComponent(rest) : null;
  } catch {
    // A mangled link names no agent.
  }
  const query = Object.fromEntries(new URLSearchParams(search));
  const known = (VIEWS as readonly string[]).includes(view ?? '') ? (view as View) : 'agents';
  if (known !== 'grid') return { view: known, agent: decoded, grid: [], query };
  // Agent names hold no comma; an agent named twice is shown once.
  const grid = [...new Set((decoded ?? '').split(',').filter(Boolean))].slice(0, GRID_MAX);
  return { view: 'grid', agent: null, grid, query };
}

export function routeHash({ view, agent, grid, query }: Route): string {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '')).toString();
  const tail = params ? `?${params}` : '';
  if (view === 'grid') return `#/grid${grid.length > 0 ? `/${grid.map(encodeURIComponent).join(',')}` : ''}${tail}`;
  return `#/${view}${agent ? `/${encodeURIComponent(agent)}` : ''}${tail}`;
}

// The route in the address bar; `go` changes it (a history entry, so Back goes back).
export function useRoute(): [Route, (next: Partial<Route>) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute((current) => keepGrid(current, parseRoute(location.hash)));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const go = useCallback((next: Partial<Route>) => {
    setRoute((current) => {
      // Another view starts without the last one's own state, unless it is given.
      const route = { ...current, ...(next.view !== undefined && next.view !== current.view ? { query: {} } : {}), ...next };
      const hash = routeHash(route);
      if (hash !== location.hash) history.pushState(null, '', hash);
      return route;
    });
  }, []);
  return [route, go];
}

// An address of another view says nothing of the grid: the one in memory stays.
function keepGrid(current: Route, next: Route): Route {
  return next.view === 'grid' ? next : { ...next, grid: current.grid };
}
