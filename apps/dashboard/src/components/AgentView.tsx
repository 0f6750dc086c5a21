import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { api, ApiError, type Agent, type AgentEvent, type AgentTerminal } from '../api';
import { taskText, useAgentTask, useBoardTasks } from '../agent-task';
import { useConversation } from '../conversation';
import { clock, who } from '../format';
import { useFadingNotice } from '../fresh';
import { unmergedWork } from '../worktree-text';
import '../agent-parts.css';
import { Conversation } from './Conversation';
import { DialogAnswer } from './DialogAnswer';
import { MergeDialog } from './MergeDialog';
import { MessageBox } from './MessageBox';
import { SentState } from './SentState';
import { Terminal, type TerminalFind } from './Terminal';

// diff2html and highlight.js are most of the page's weight and only a worktree worker's view
// draws them: loaded when such a view opens (Vite splits them off).
const DiffView = lazy(() => import('./DiffView').then((m) => ({ default: m.DiffView })));

// How long the outcome of an action (interrupted, compact requested) stays in view.
const NOTICE_MS = 8_000;

// One agent (the page mounts one per agent, so nothing of one shows on another): its task,
// the dialog it waits on with its answers, its live terminal (interactive on request; once its
// window is gone, the terminal archived in the journal, labelled so), a message
// box that follows what was sent, interrupt/compact/kill (and merge and its changes for a
// worktree worker), its conversation and its tool events. `mailTick` moves when a message or a
// delivery status arrives.
export function AgentView({
  agent,
  terminal,
  find,
  mailTick,
  theme,
  onOverview,
}: {
  agent: Agent;
  // Null until it is read.
  terminal: AgentTerminal | null;
  // A line to show in the terminal (a search hit), else its end.
  find: TerminalFind | null;
  mailTick: number;
  theme: string;
  onOverview: () => void;
}) {
  const [events, setEvents] = useState<AgentEvent[]>([]);
  const [notice, setNotice] = useFadingNotice(NOTICE_MS);
  const [sent, setSent] = useState<string | null>(null);
  const [merging, setMerging] = useState(false);
  const mergeButton = useRef<HTMLButtonElement>(null);
  const conversation = useConversation(agent.id, mailTick);
  const task = useAgentTask(agent, useBoardTasks(mailTick), mailTick);
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
  return (
    <section className="agent-view">
      <header>
        <button className="back" onClick={onOverview}>
          ← Overview
        </button>
        <h2>
          {who(agent)} <span className={`badge ${agent.status}`}>{agent.status}</span>
        </h2>
        <div className="actions">
          <button onClick={act('interrupted', () => api.interrupt(agent.id))}>Interrupt</button>
          <button onClick={act('compact requested', () => api.compact(agent.id))}>Compact</button>
          {agent.worktree && (
            <button ref={mergeButton} onClick={() => setMerging(true)} aria-haspopup="dialog">
              Merge
            </button>
          )}
          <button
            className="danger"
            onClick={() => {
              if (window.confirm(`Kill ${who(agent)}? Its terminal is archived in the journal.`)) void act('killed', () => killAsked(agent))();
            }}
          >
            Kill
          </button>
        </div>
      </header>
      <p className="current-task" data-task={task ? taskText(task) : ''} data-task-source={task?.source}>
        <span className="muted">Task:</span> {task ? taskText(task) : <span className="muted">nothing given yet</span>}
        {task?.source === 'board' && <span className="muted"> ({task.task.status})</span>}
      </p>
      {notice && (
        <p className="notice" role="status" data-notice-for={agent.id}>
          {notice}
        </p>
      )}
      {merging && (
        <MergeDialog
          agentId={agent.id}
          onMerged={setNotice}
          onClose={() => {
            setMerging(false);
            mergeButton.current?.focus();
          }}
        />
      )}
      <DialogAnswer agent={agent} />
      {terminal?.archived ? (
        <>
          <p className="terminal-archived" role="status" data-archived-at={terminal.archived.at}>
            {agent.status} — terminal archived at {new Date(terminal.archived.at).toLocaleString()} (journal of {terminal.archived.date}, <code>attachments/{terminal.archived.name}</code>)
          </p>
          <Terminal text={terminal.text} />
        </>
      ) : terminal && (agent.status === 'stopped' || agent.status === 'missing') ? (
        <p className="terminal-archived" role="status">
          {agent.status} — its window is gone, and no terminal of it was archived
        </p>
      ) : (
        <Terminal text={terminal?.text ?? ''} agentId={agent.id} agentName={who(agent)} find={find} />
      )}
      {agent.worktree && (
        <Suspense fallback={<p className="muted">Loading the changes…</p>}>
          <DiffView agentId={agent.id} theme={theme} />
        </Suspense>
      )}
      <MessageBox
        onSend={async (text) => setSent((await api.send(agent.id, text)).id)}
        disabled={agent.status === 'missing' || agent.status === 'exited' || agent.status === 'stopped'}
      />
      {sent && <SentState message={conversation.messages.find((m) => m.id === sent)} />}
      <div className="columns">
        <Conversation agentId={agent.id} conversation={conversation} />
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
    if (!window.confirm(unmergedWork(agent, await api.mergePreview(agent.id).catch(() => null)))) return 'not killed';
    return api.kill(agent.id, true);
  }
}
