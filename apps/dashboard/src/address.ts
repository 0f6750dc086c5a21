// The address of a place in the dashboard, without React: the pages and the unit tests read it.
export const VIEWS = ['agents', 'grid', 'tasks', 'messages', 'usage', 'search', 'system'] as const;
export type View = (typeof VIEWS)[number];

// The most agents the grid shows side by side.
export const GRID_MAX = 6;

// What the address keeps: the view and the agent looked at, as `#/<view>[/<agent>]`, or the
// grid's agents, as `#/grid/<agent>,<agent>…`, and in a cluster the host the lists show, as
// `?host=<host>` after it, so a reload, a bookmark or a link sent to someone opens the same
// place. `grid` is kept while other views are looked at, so the grid comes back as it was left.
// A view's own state (the search's text, the messages' filters, the place a search hit opened)
// is the other parameters after the `?`: `#/search?q=deploy`.
export interface Route {
  view: View;
  agent: string | null;
  grid: readonly string[];
  // The host whose agents the lists show; null for every host.
  host: string | null;
  query: Readonly<Record<string, string>>;
}

const HOST = /^[a-z0-9][a-z0-9-]{0,31}$/;

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split(/\?(.*)/s);
  const [view, rest] = path.split('/');
  const { host: wanted, ...query } = Object.fromEntries(new URLSearchParams(search));
  // A host that cannot be one (a mangled link) filters nothing.
  const host = wanted && HOST.test(wanted) ? wanted : null;
  let decoded: string | null = null;
  try {
    decoded = rest ? decodeURIComponent(rest) : null;
  } catch {
    // A mangled link names no agent.
  }
  const known = (VIEWS as readonly string[]).includes(view ?? '') ? (view as View) : 'agents';
  if (known !== 'grid') return { view: known, agent: decoded, grid: [], host, query };
  // Agent names hold no comma; an agent named twice is shown once.
  const grid = [...new Set((decoded ?? '').split(',').filter(Boolean))].slice(0, GRID_MAX);
  return { view: 'grid', agent: null, grid, host, query };
}

export function routeHash({ view, agent, grid, host, query }: Route): string {
  const pairs: Array<[string, string]> = [...(host ? [['host', host] as [string, string]] : []), ...Object.entries(query).filter(([, v]) => v !== '')];
  const params = new URLSearchParams(pairs).toString();
  const tail = params ? `?${params}` : '';
  if (view === 'grid') return `#/grid${grid.length > 0 ? `/${grid.map(encodeURIComponent).join(',')}` : ''}${tail}`;
  return `#/${view}${agent ? `/${encodeURIComponent(agent)}` : ''}${tail}`;
}
