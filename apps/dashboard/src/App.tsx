import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, logInFromUrl, Unauthorized, type Agent, type AgentTerminal, type Alert, type ClusterInfo, type HostState, type KilledAgent, type SearchPlace } from './api';
import { AgentList } from './components/AgentList';
import { Board } from './components/Board';
import { Login } from './components/Login';
import { Messages } from './components/Messages';
import { OfflineBanner } from './components/OfflineBanner';
import { ShortcutSheet } from './components/ShortcutSheet';
import { Overview } from './components/Overview';
import { UsageToday } from './components/UsageToday';
import { useAttention } from './attention';
import { Reconnects } from './fresh';
import { useLive, type LiveFrame } from './live';
import { GRID_MAX, VIEWS, type Route } from './address';
import { useRoute } from './route';
import { focusedAgent, focusSoon, useShortcuts, type ShortcutKey } from './shortcuts';
import { hostOf, teamOrder } from './format';

// An agent's own view (its terminal is xterm) loads when one is picked, the grid, the search
// and the system view (its charts, its log) when opened: the first screen, the overview, needs
// none of them; Vite splits them into chunks of their own.
const AgentView = lazy(() => import('./components/AgentView').then((m) => ({ default: m.AgentView })));
const KilledView = lazy(() => import('./components/KilledView').then((m) => ({ default: m.KilledView })));
const Grid = lazy(() => import('./components/Grid').then((m) => ({ default: m.Grid })));
const UsageView = lazy(() => import('./components/UsageView').then((m) => ({ default: m.UsageView })));
const SystemView = lazy(() => import('./components/SystemView').then((m) => ({ default: m.SystemView })));
const SearchView = lazy(() => import('./components/SearchView').then((m) => ({ default: m.SearchView })));

export function App() {
  const [authed, setAuthed] = useState<boolean | null>(null);
  // Why the login form shows, when a login URL did not work.
  const [loginNotice, setLoginNotice] = useState('');
  const [{ view, agent: selected, grid, host, query }, go] = useRoute();
  const [agents, setAgents] = useState<Agent[]>([]);
  const [killed, setKilled] = useState<KilledAgent[]>([]);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  // This host's cluster, and the other hosts as last heard (host_status frames keep it fresh).
  const [cluster, setCluster] = useState<ClusterInfo | null>(null);
  // The last screen of each agent streamed (the one looked at, or the grid's), by agent id.
  const [terminals, setTerminals] = useState<Readonly<Record<string, AgentTerminal>>>({});
  // Each agent's last lines for its overview card, as the server pushes them.
  const [previews, setPreviews] = useState<Readonly<Record<string, string>>>({});
  const [now, setNow] = useState(Date.now());
  // Bumped by `process` and `health` frames, so the system view reloads at once.
  const [systemTick, setSystemTick] = useState(0);
  // Bumped by `message` and `message_status` frames, so conversations read the history again.
  const [mailTick, setMailTick] = useState(0);
  // Bumped per recipient by `message` frames, so a card reads what its agent was sent (its
  // spawn task) again only when the agent was sent something: not at every other agent's
  // message, nor at each delivery status.
  const [mailTo, setMailTo] = useState<Readonly<Record<string, number>>>({});
  // The project the agents and messages views show; '' for all.
  const [project, setProject] = useState('');
  const [theme, setTheme] = useState(() => localStorage.getItem('cmux-theme') ?? 'dark');
  const [sheet, setSheet] = useState(false);

  // Everything the page shows, fetched afresh: at the start and each time the stream comes back.
  const load = useCallback(async () => {
    try {
      const [a, al, k, c] = await Promise.all([api.agents(), api.alerts(), api.killedAgents(), api.cluster().catch(() => null)]);
      setAgents(a);
      setCluster(c);
      setAlerts(al);
      setKilled(k);
      setAuthed(true);
      // Logged in after all (a used link opened while a session holds): nothing to explain later.
      setLoginNotice('');
    } catch (error) {
      if (error instanceof Unauthorized) setAuthed(false);
    }
  }, []);
  useEffect(() => {
    void logInFromUrl().then((ok) => {
      if (!ok) setLoginNotice('This login link was used already or has expired: run `cmux open` for a new one.');
      return load();
    });
  }, [load]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('cmux-theme', theme);
  }, [theme]);

  const onFrame = useCallback((frame: LiveFrame) => {
    const data = frame.data as Record<string, unknown>;
    if (frame.event === 'agent_created') setAgents((list) => [...list.filter((a) => a.id !== data.id), data as unknown as Agent]);
    if (frame.event === 'agent_removed') {
      setAgents((list) => list.filter((a) => a.id !== data.id));
      // A kill: it moves to the killed list, with its archive.
      void api.killedAgents().then(setKilled, () => undefined);
    }
    if (frame.event === 'agent_status') {
      const attention = (data.attention ?? null) as Agent['attention'];
      const limitedUntil = typeof data.limitedUntil === 'string' ? { limitedUntil: data.limitedUntil } : {};
      setAgents((list) => list.map((a) => (a.id === data.id ? { ...a, status: data.status as Agent['status'], statusSince: String(data.since), attention, limitedUntil: undefined, ...limitedUntil } : a)));
    }
    if (frame.event === 'message' || frame.event === 'message_status') setMailTick((n) => n + 1);
    if (frame.event === 'message') {
      const to = String(data.to).split(':').pop()!;
      setMailTo((all) => ({ ...all, [to]: (all[to] ?? 0) + 1 }));
    }
    if (frame.event === 'alert') setAlerts((list) => [data as unknown as Alert, ...list]);
    // Acknowledged on another page (or through the API).
    if (frame.event === 'alert_acked') setAlerts((list) => list.map((a) => (a.id === data.id ? { ...a, acknowledged: String(data.at) } : a)));
    if (frame.event === 'terminal') setTerminals((all) => ({ ...all, [String(data.id)]: { text: String(data.text) } }));
    if (frame.event === 'agent_preview') setPreviews((all) => ({ ...all, [String(data.id)]: String(data.preview) }));
    if (frame.event === 'process' || frame.event === 'health') setSystemTick((n) => n + 1);
    if (frame.event === 'host_status') {
      const state = data as unknown as HostState;
      setCluster((c) => c && { ...c, hosts: [...c.hosts.filter((h) => h.host !== state.host), state].sort((x, y) => x.host.localeCompare(y.host)) });
    }
  }, []);
  const live = useLive(authed === true, onFrame);
  // Until the stream drops, what was fetched holds (also while it first connects).
  const online = live.lostAt === null;
  useEffect(() => {
    if (live.opens > 1) {
      void load();
      // What moved meanwhile came in no frame, so the conversations read again.
      setMailTick((n) => n + 1);
    }
  }, [live.opens, load]);
  // A stream that keeps failing may be a session that ended (logged out elsewhere, expired):
  // then the page asks for a login instead of saying offline for ever.
  useEffect(() => {
    if (live.state === 'offline') api.agents().catch((error: unknown) => error instanceof Unauthorized && setAuthed(false));
  }, [live.state]);
  // Ages count only while the page can vouch for them.
  useEffect(() => {
    if (!online) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1_000);
    return () => window.clearInterval(timer);
  }, [online]);
  const agent = agents.find((a) => a.id === selected) ?? null;
  const projects = [...new Set(agents.map(projectOf))].sort();
  const self = cluster?.self ?? null;
  const hosts = self ? [self, ...(cluster?.hosts ?? []).map((h) => h.host).filter((h) => h !== self)] : [];
  // A host named in the address that the cluster does not know (yet) still filters: its
  // agents show once it is heard from. A single host has nothing to filter.
  const hostShown = self ? host : null;
  const shownAgents = agents.filter((a) => (!project || projectOf(a) === project) && (!hostShown || hostOf(a, self) === hostShown));
  const attention = useAttention(agents, selected);
  // Its window gone, the agent streams no screen: the terminal is read again, archived.
  const windowGone = agent?.status === 'stopped' || agent?.status === 'missing';
  // The terminals streamed: the agent looked at, or the grid's.
  const streamed = view === 'grid' ? grid.join(',') : view === 'agents' ? (selected ?? '') : '';
  useEffect(() => {
    if (!online) return;
    let stale = false;
    setTerminals({});
    live.subscribe(streamed ? streamed.split(',') : []);
    if (view === 'agents' && selected) void api.terminal(selected).then((t) => !stale && setTerminals((all) => (all[selected] ? all : { ...all, [selected]: t })), () => undefined);
    return () => {
      stale = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [streamed, online, windowGone]);
  // A card's "Grid": the agent joins the grid (the oldest leaves a full one) and the grid shows.
  const toGrid = (ids: readonly string[]) => go({ view: 'grid', grid: [...grid.filter((g) => !ids.includes(g)), ...ids].slice(-GRID_MAX) });

  // The shortcuts act on what is shown now: read through a ref, so the listener stays one.
  const shortcut = useRef<(key: ShortcutKey) => void>(() => undefined);
  shortcut.current = (key) => {
    const inView = focusedAgent() ?? (view === 'agents' ? selected : null);
    // Within the card or cell that has the focus, else the agent's own view.
    const scope = inView && focusedAgent() ? `[data-card="${inView}"], [data-cell="${inView}"]` : '.agent-view';
    if (key === 'j' || key === 'k') {
      const order = teamOrder(shownAgents);
      if (order.length === 0) return;
      const at = order.findIndex((a) => a.id === selected);
      const next = at < 0 ? (key === 'j' ? 0 : order.length - 1) : (at + (key === 'j' ? 1 : order.length - 1)) % order.length;
      go({ view: 'agents', agent: order[next]!.id });
      focusSoon(`[data-agent="${order[next]!.id}"]`);
    }
    if (key === 'o' && inView) go({ view: 'agents', agent: inView });
    if (key === 'n') {
      go({ view: 'agents' });
      focusSoon('input[aria-label="worker name"]');
    }
    if (key === 'm') focusSoon(`:is(${scope}) :is(textarea[aria-label^="message"], input[aria-label^="quick message"])`);
    if (key === 'i') document.querySelector<HTMLButtonElement>(`:is(${scope}) :is(.actions button, .overview-act button, .grid-cell-head button[aria-label^="interrupt"])`)?.click();
    if (key === 'a') focusSoon(`:is(${scope}) [data-choice]`);
    if (key === '/') {
      go({ view: 'search' });
      focusSoon('input[aria-label="search everything"]');
    }
    if (key === 'v') go({ view: 'agents', agent: null });
    if (key === 'g') go({ view: 'grid' });
    if (key === 's') go({ view: 'system' });
    if (key === '?') setSheet(true);
  };
  useShortcuts(useCallback((key: ShortcutKey) => shortcut.current(key), []));

  if (authed === null) return <p className="loading">Loading…</p>;
  if (!authed) return <Login notice={loginNotice} onDone={() => void load()} />;
  const killedShown = killed.filter((k, i) => !agents.some((a) => a.id === k.id) && killed.findIndex((o) => o.id === k.id) === i);
  const gone = selected && !agent ? (killedShown.find((k) => k.id === selected) ?? null) : null;
  return (
    <Reconnects.Provider value={live.opens}>
    <div className={online ? 'app' : 'app offline'} data-online={online}>
      <button className="skip-link" onClick={skipToContent}>
        Skip to content
      </button>
      <nav aria-label="views">
        <strong>cmux</strong>
        {VIEWS.map((v) => (
          <button key={v} className={v === view ? 'tab active' : 'tab'} aria-current={v === view ? 'page' : undefined} onClick={() => go({ view: v })}>
            {v[0]!.toUpperCase() + v.slice(1)}
          </button>
        ))}
        {projects.length > 1 && (
          <select value={project} onChange={(e) => setProject(e.target.value)} aria-label="show project">
            <option value="">all projects</option>
            {projects.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        )}
        {(hosts.length > 1 || hostShown) && (
          <select value={hostShown ?? ''} onChange={(e) => go({ host: e.target.value || null })} aria-label="show host">
            <option value="">all hosts</option>
            {[...new Set([...hosts, ...(hostShown ? [hostShown] : [])])].map((h) => (
              <option key={h} value={h}>
                {h}
                {h === self ? ' (this host)' : ''}
              </option>
            ))}
          </select>
        )}
        {attention.count > 0 && (
          <span className="attention-count" data-attention-count={attention.count} title="agents that need you">
            {attention.count}
          </span>
        )}
        {attention.canNotify && (
          <button className="notify" onClick={attention.toggleNotify} aria-pressed={attention.notifying} aria-label={`notify: ${attention.notifying ? 'on' : 'off'} (browser notifications)`}>
            {attention.notifying ? 'notify: on' : 'notify: off'}
          </button>
        )}
        <UsageToday onOpen={() => go({ view: 'usage' })} />
        <span className={`connection ${live.state}`} data-connection={live.state}>
          {live.state}
        </span>
        <button className="theme" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label="switch theme">
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        <button className="tab" onClick={() => setSheet(true)} aria-haspopup="dialog" title="keyboard shortcuts (?)">
          ?
        </button>
        <button className="tab" onClick={() => void api.logout().finally(() => setAuthed(false))}>
          Log out
        </button>
      </nav>
      {sheet && <ShortcutSheet onClose={() => setSheet(false)} />}
      {live.lostAt !== null && <OfflineBanner since={live.lostAt} state={live.state} />}
      {view === 'agents' && (
        <main className={agent || gone ? 'agents-layout picked' : 'agents-layout'}>
          <AgentList agents={shownAgents} killed={killedShown} selected={selected} onSelect={(id) => go({ agent: id })} now={now} self={self} hosts={hosts} />
          <Suspense fallback={<p className="loading">Loading…</p>}>
            {/* Keyed: a notice or a draft of one agent never shows on another. */}
            {agent && (
              <AgentView
                key={agent.id}
                agent={agent}
                terminal={terminals[agent.id] ?? null}
                find={query.find ? { text: query.find, up: Number(query.up) || 0 } : null}
                mailTick={mailTick}
                theme={theme}
                onOverview={() => go({ agent: null })}
              />
            )}
            {gone && <KilledView key={gone.id} agent={gone} />}
          </Suspense>
          {!agent && !gone && selected && (
            <p className="pick" role="alert" data-unknown-agent={selected}>
              There is no agent named <b>{selected}</b>: none runs under that name, and none was killed under it recently. Pick one from the list.
            </p>
          )}
          {!selected && <Overview agents={shownAgents} self={self} previews={previews} now={now} mailTick={mailTick} mailTo={mailTo} onSelect={(id) => go({ agent: id })} onGrid={toGrid} />}
        </main>
      )}
      {view === 'grid' && (
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Grid agents={agents} ids={grid} terminals={terminals} onChange={(ids) => go({ grid: ids })} onOpen={(id) => go({ view: 'agents', agent: id })} />
        </Suspense>
      )}
      {view === 'tasks' && <Board focusTask={Number(query.task) || null} />}
      {view === 'usage' && (
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <UsageView />
        </Suspense>
      )}
      {view === 'messages' && (
        <Messages query={query} agents={agents.map((a) => a.id)} projects={projects} project={project} mailTick={mailTick} onQuery={(next) => go({ query: next })} />
      )}
      {view === 'search' && (
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <SearchView q={query.q ?? ''} onSearch={(q) => go({ query: { q } })} onOpen={(place) => go(placeRoute(place))} />
        </Suspense>
      )}
      {view === 'system' && (
        <Suspense fallback={<p className="loading">Loading…</p>}>
        <SystemView
          cluster={cluster}
          host={hostShown}
          alerts={alerts}
          now={now}
          refresh={systemTick}
          online={online}
          journalAt={query.date ? { date: query.date, file: query.file ?? null } : null}
          onAcknowledged={(a) => setAlerts((list) => list.map((o) => (o.id === a.id ? a : o)))}
        />
        </Suspense>
      )}
    </div>
    </Reconnects.Provider>
  );
}

// Where a search hit opens: a message marked in its conversation, an agent's live terminal, a
// day of the journal with its file open, a task on the board.
function placeRoute(place: SearchPlace): Partial<Route> {
  if (place.view === 'messages') return { view: 'messages', agent: null, query: { ...(place.agent ? { agent: place.agent } : {}), at: place.id } };
  if (place.view === 'agent') return { view: 'agents', agent: place.agent, query: place.find ? { find: place.find, up: String(place.up ?? 0) } : {} };
  if (place.view === 'journal') return { view: 'system', agent: null, query: { date: place.date, ...(place.file ? { file: place.file } : {}) } };
  return { view: 'tasks', agent: null, query: { task: String(place.id) } };
}

// The skip link: past the views' tabs, to the view itself.
function skipToContent(): void {
  const content = document.querySelector<HTMLElement>('.app > :is(main, section)');
  if (!content) return;
  content.tabIndex = -1;
  content.focus();
}

function projectOf(agent: Agent): string {
  return agent.project ?? 'default';
}
