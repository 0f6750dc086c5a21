import { useEffect, useState } from 'react';
import { api, ApiError, type Agent, type AgentEvent, type Message } from '../api';
import { clock } from '../format';
import { useFreshNotice } from '../fresh';
import { DiffView } from './DiffView';
import { MessageBox } from './MessageBox';
import { Terminal } from './Terminal';

// One agent: its live terminal, a message box, interrupt/compact/kill (and merge and its
// changes for a worktree worker), and its messages and tool events.
export function AgentView({ agent, terminal, messages, theme }: { agent: Agent; terminal: string; messages: Message[]; theme: string }) {
  const [events, setEvents] = useState<AgentEvent[]>([]);
  const [notice, setNotice] = useFreshNotice();
  useEffect(() => {
    let stop = false;
    const load = () => api.events(agent.id).then((e) => !stop && setEvents(e), () => undefined);
    load();
    const timer = window.setInterval(load, 5_000);
    return () => {
      stop = true;
      window.clearInterval(timer);
    };
  }, [agent.id]);
  // `fn` may answer with a notice of its own instead of `label`.
  const act = (label: string, fn: () => Promise<unknown>) => async () => {
    try {
      const said = await fn();
      setNotice(typeof said === 'string' ? said : label);
    } catch (err) {
      setNotice((err as Error).message);
    }
  };
  const mine = messages.filter((m) => m.to === agent.id || m.from === agent.id || m.to.endsWith(`:${agent.id}`));
  return (
    <section className="agent-view">
      <header>
        <h2>
          {agent.name} <span className={`badge ${agent.status}`}>{agent.status}</span>
        </h2>
        <div className="actions">
          <button onClick={act('interrupted', () => api.interrupt(agent.id))}>Interrupt</button>
          <button onClick={act('compact requested', () => api.compact(agent.id))}>Compact</button>
          {agent.worktree && (
            <button onClick={act('merged', async () => {
              const merged = await api.merge(agent.id);
              return merged.commit ? `merged ${merged.commits} commit(s) into ${merged.into}` : `nothing to merge into ${merged.into}`;
            })}>
              Merge
            </button>
          )}
          <button
            className="danger"
            onClick={() => {
              if (window.confirm(`Kill ${agent.name}? Its terminal is archived in the journal.`)) void act('killed', () => killAsked(agent))();
            }}
          >
            Kill
          </button>
        </div>
      </header>
      {notice && <p className="notice">{notice}</p>}
      <Terminal text={terminal} />
      {agent.worktree && <DiffView agentId={agent.id} theme={theme} />}
      <MessageBox onSend={async (text) => void (await api.send(agent.id, text))} disabled={agent.status === 'missing' || agent.status === 'exited' || agent.status === 'stopped'} />
      <div className="columns">
        <div>
          <h3>Messages</h3>
          <ul className="messages">
            {mine.slice(0, 30).map((m) => (
              <li key={m.id}>
                <time>{clock(m.ts)}</time> <b>{m.from}</b> → {m.to}: {m.subject}
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3>Activity</h3>
          <ul className="events">
            {events.map((e, i) => (
              <li key={i}>
                <time>{clock(e.at)}</time> {e.event}
                {e.tool ? ` ${e.tool}` : ''}
              </li>
            ))}
            {events.length === 0 && <li className="muted">no hook events (Claude Code reports them)</li>}
          </ul>
        </div>
      </div>
    </section>
  );
}

// A worker with unmerged work is killed only when the person says so a second time.
async function killAsked(agent: Agent): Promise<unknown> {
  try {
    return await api.kill(agent.id);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'CMUX_ERR_UNMERGED_WORK')) throw error;
    if (!window.confirm(`${error.message}\n\nKill anyway? Its branch stays; its worktree folder goes.`)) return 'not killed';
    return api.kill(agent.id, true);
  }
}
