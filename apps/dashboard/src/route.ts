import { useCallback, useEffect, useState } from 'react';
import { parseRoute, routeHash, type Route } from './address';

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
