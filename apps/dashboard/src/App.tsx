import { useCallback, useEffect, useState } from 'react';
import { api, Unauthorized, type Agent, type Alert, type Message } from './api';
import { AgentList } from './components/AgentList';
import { AgentView } from './components/AgentView';
import { Board } from './components/Board';
import { Login } from './components/Login';
import { Messages } from './components/Messages';
import { Overview } from './components/Overview';
import { SystemView } from './components/SystemView';
import { useAttention } from './attention';
import { useLive, type LiveFrame } from './live';

type View = 'agents' | 'tasks' | 'messages' | 'system';

export function App() {
  const [authed, setAuthed] = useState<boolean | null>(null);
  const [view, setView] = useState<View>('agents');
  const [agents, setAgents] = useState<Agent[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  // The last screen of an agent, with whose it is: a frame of the agent looked at before is not this one's.
  const [terminal, setTerminal] = useState({ id: '', text: '' });
  const [now, setNow] = useState(Date.now());
  // Bumped by `process` and `health` frames, so the system view reloads at once.
  const [systemTick, setSystemTick] = useState(0);
  // Bumped by `message` and `message_status` frames, so conversations read the history again.
  const [mailTick, setMailTick] = useState(0);
  // The project the agents and messages views show; '' for all.
  const [project, setProject] = useState('');
  const [theme, setTheme] = useState(() => localStorage.getItem('cmux-theme') ?? 'dark');

  const load = useCallback(async () => {
    try {
      const [a, m, al] = await Promise.all([api.agents(), api.messages(), api.alerts()]);
      setAgents(a);
      setMessages(m);
      setAlerts(al);
      setAuthed(true);
    } catch (error) {
      if (error instanceof Unauthorized) setAuthed(false);
    }
  }, []);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1_000);
    return () => window.clearInterval(timer);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('cmux-theme', theme);
  }, [theme]);

  const onFrame = useCallback((frame: LiveFrame) => {
    const data = frame.data as Record<string, unknown>;
    if (frame.event === 'agent_created') setAgents((list) => [...list.filter((a) => a.id !== data.id), data as unknown as Agent]);
    if (frame.event === 'agent_removed') setAgents((list) => list.filter((a) => a.id !== data.id));
    if (frame.event === 'agent_status') {
      const attention = (data.attention ?? null) as Agent['attention'];
      setAgents((list) => list.map((a) => (a.id === data.id ? { ...a, status: data.status as Agent['status'], statusSince: String(data.since), attention } : a)));
    }
    if (frame.event === 'message') setMessages((list) => [data as unknown as Message, ...list.filter((m) => m.id !== data.id)]);
    if (frame.event === 'message_status') setMessages((list) => list.map((m) => (m.id === data.id ? { ...m, status: String(data.status), detail: data.detail as string | null } : m)));
    if (frame.event === 'message' || frame.event === 'message_status') setMailTick((n) => n + 1);
    if (frame.event === 'alert') setAlerts((list) => [data as unknown as Alert, ...list]);
    if (frame.event === 'terminal') setTerminal({ id: String(data.id), text: String(data.text) });
    if (frame.event === 'process' || frame.event === 'health') setSystemTick((n) => n + 1);
  }, []);
  const live = useLive(authed === true, onFrame);
  // Back online: what moved meanwhile came in no frame, so the conversations read again.
  useEffect(() => {
    if (live.state === 'live') setMailTick((n) => n + 1);
  }, [live.state]);
  const agent = agents.find((a) => a.id === selected) ?? null;
  const projects = [...new Set(agents.map(projectOf))].sort();
  const shownAgents = project ? agents.filter((a) => projectOf(a) === project) : agents;
  const names = new Set(shownAgents.map((a) => a.name));
  const shownMessages = project ? messages.filter((m) => names.has(m.from) || names.has(m.to)) : messages;
  const attention = useAttention(agents, selected);
  useEffect(() => {
    let stale = false;
    setTerminal({ id: '', text: '' });
    live.subscribe(selected);
    if (selected) void api.terminal(selected).then((t) => !stale && setTerminal((now) => (now.id === selected ? now : { id: selected, text: t.text })), () => undefined);
    return () => {
      stale = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, live.state]);

  if (authed === null) return <p className="loading">Loading…</p>;
  if (!authed) return <Login onDone={() => void load()} />;
  return (
    <div className="app">
      <nav>
        <strong>cmux</strong>
        {(['agents', 'tasks', 'messages', 'system'] as const).map((v) => (
          <button key={v} className={v === view ? 'tab active' : 'tab'} onClick={() => setView(v)}>
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
        {attention.count > 0 && (
          <span className="attention-count" data-attention-count={attention.count} title="agents that need you">
            {attention.count}
          </span>
        )}
        {attention.canNotify && (
          <button className="notify" onClick={attention.toggleNotify} aria-pressed={attention.notifying} aria-label="browser notifications">
            {attention.notifying ? 'notify: on' : 'notify: off'}
          </button>
        )}
        <span className={`connection ${live.state}`} data-connection={live.state}>
          {live.state}
        </span>
        <button className="theme" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label="switch theme">
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        <button className="tab" onClick={() => void api.logout().finally(() => setAuthed(false))}>
          Log out
        </button>
      </nav>
      {view === 'agents' && (
        <main className="agents-layout">
          <AgentList agents={shownAgents} selected={selected} onSelect={setSelected} now={now} />
          {agent ? (
            <AgentView key={agent.id} agent={agent} terminal={terminal.id === agent.id ? terminal.text : ''} mailTick={mailTick} theme={theme} onOverview={() => setSelected(null)} />
          ) : (
            <Overview agents={shownAgents} now={now} mailTick={mailTick} onSelect={setSelected} />
          )}
        </main>
      )}
      {view === 'tasks' && <Board />}
      {view === 'messages' && <Messages messages={shownMessages} onOlder={(older) => setMessages((list) => [...list, ...older])} />}
      {view === 'system' && <SystemView alerts={alerts} now={now} refresh={systemTick} />}
    </div>
  );
}

function projectOf(agent: Agent): string {
  return agent.project ?? 'default';
}
