import { useEffect, useLayoutEffect, useRef, useState, type MutableRefObject } from 'react';
import { api, ApiError, type Agent, type Task, type UsageLine } from '../api';
import { taskText, useAgentTask, useBoardTasks } from '../agent-task';
import { clock, hostOf, needsYou, since, teamOrder, who } from '../format';
import { useFadingNotice } from '../fresh';
import { useTodayUsage } from '../today-usage';
import { costText, tokenText } from '../usage-text';
import '../agent-parts.css';
import { DialogAnswer } from './DialogAnswer';

// How long the outcome of an action on a card or on the selection stays in view.
const NOTICE_MS = 8_000;

// Every agent at a glance: the ones that need the person (a dialog, a dead program) in a group
// of their own first, the rest in the team's steady order; each card with its status and how
// long it has been in it, its current task and the last lines of its terminal (pushed by the
// server in `agent_preview` frames: the overview reads nothing per agent on a timer). A card
// answers its agent's dialog, interrupts it and takes a quick message; agents selected with
// the cards' checkboxes (shift-click selects a run) are messaged, interrupted or killed together.
export function Overview({
  agents,
  self,
  previews,
  now,
  mailTick,
  mailTo,
  onSelect,
  onGrid,
}: {
  agents: Agent[];
  // This host's name in a cluster (each card names its host), else null.
  self: string | null;
  previews: Readonly<Record<string, string>>;
  now: number;
  mailTick: number;
  // How many messages each agent was sent since the page opened (by agent id).
  mailTo: Readonly<Record<string, number>>;
  onSelect: (id: string) => void;
  // Show these agents in the grid.
  onGrid: (ids: string[]) => void;
}) {
  const tasks = useBoardTasks(mailTick);
  const usage = useTodayUsage();
  const ordered = teamOrder(agents);
  const urgent = ordered.filter(needsYou);
  const rest = ordered.filter((a) => !needsYou(a));
  const shown = [...urgent, ...rest];
  const [picked, setPicked] = useState<readonly string[]>([]);
  // What a card holds (its draft, its last outcome) and where the focus was in it: kept here,
  // since a card that moves between the groups is drawn anew.
  const [memory, setMemory] = useState<Readonly<Record<string, CardMemory>>>({});
  const remember = (id: string, patch: Partial<CardMemory>) => setMemory((all) => ({ ...all, [id]: { ...EMPTY_MEMORY, ...all[id], ...patch } }));
  const focus = useRef<CardFocus | null>(null);
  // Outlives the selection: after a kill, the killed leave it.
  const [notice, setNotice] = useFadingNotice(NOTICE_MS);
  // The card last ticked or unticked without shift: where a shift-click's run starts.
  const anchor = useRef<string | null>(null);
  const selection = shown.filter((a) => picked.includes(a.id));
  const pick = (id: string, on: boolean, run: boolean) => {
    const from = anchor.current ? shown.findIndex((a) => a.id === anchor.current) : -1;
    const to = shown.findIndex((a) => a.id === id);
    const ids = run && from >= 0 ? shown.slice(Math.min(from, to), Math.max(from, to) + 1).map((a) => a.id) : [id];
    if (!run) anchor.current = id;
    setPicked((now) => (on ? [...new Set([...now, ...ids])] : now.filter((x) => !ids.includes(x))));
  };
  const grid = (list: Agent[]) => (
    <ul className="overview-grid">
      {list.map((a) => (
        <li key={a.id}>
          <AgentCard
            agent={a}
            host={hostOf(a, self)}
            preview={previews[a.id] ?? ''}
            usage={usage?.lines.find((line) => line.key === a.id) ?? null}
            now={now}
            tasks={tasks}
            sentTo={mailTo[a.id] ?? 0}
            onSelect={onSelect}
            onGrid={onGrid}
            picked={picked.includes(a.id)}
            onPick={pick}
            memory={memory[a.id] ?? EMPTY_MEMORY}
            remember={(patch) => remember(a.id, patch)}
            focus={focus}
          />
        </li>
      ))}
    </ul>
  );
  return (
    <section className="overview" aria-label="overview">
      <h2>Overview</h2>
      <SelectionBar selection={selection} onGrid={onGrid} onClear={() => setPicked([])} onNotice={setNotice} />
      {notice && (
        <p className="notice" role="status" data-selection-notice>
          {notice}
        </p>
      )}
      {urgent.length > 0 && (
        <section className="overview-group urgent" aria-label="needs you">
          <h3>Needs you</h3>
          {grid(urgent)}
        </section>
      )}
      <section className="overview-group" aria-label="the team">
        {urgent.length > 0 && <h3>The others</h3>}
        {grid(rest)}
        {rest.length === 0 && urgent.length === 0 && <p className="muted">No agents yet: spawn a worker.</p>}
      </section>
    </section>
  );
}

interface CardMemory {
  draft: string;
  notice: string;
}
const EMPTY_MEMORY: CardMemory = { draft: '', notice: '' };
// The control of a card that had the focus, by its data-focus-key.
interface CardFocus {
  id: string;
  key: string;
}

function AgentCard({
  agent,
  host,
  preview,
  usage,
  now,
  tasks,
  sentTo,
  onSelect,
  onGrid,
  picked,
  onPick,
  memory,
  remember,
  focus,
}: {
  agent: Agent;
  host: string | null;
  preview: string;
  // Its tokens and estimated cost today, when it used any.
  usage: UsageLine | null;
  now: number;
  tasks: Task[] | null;
  // Moves when this agent is sent a message.
  sentTo: number;
  onSelect: (id: string) => void;
  onGrid: (ids: string[]) => void;
  picked: boolean;
  onPick: (id: string, on: boolean, run: boolean) => void;
  memory: CardMemory;
  remember: (patch: Partial<CardMemory>) => void;
  focus: MutableRefObject<CardFocus | null>;
}) {
  const task = useAgentTask(agent, tasks, sentTo);
  const { draft, notice } = memory;
  const setDraft = (text: string) => remember({ draft: text });
  const setNotice = (text: string) => remember({ notice: text });
  const root = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!notice) return;
    if (focus.current?.id === agent.id && focus.current.key === 'notice') root.current?.querySelector<HTMLElement>('[data-focus-key="notice"]')?.focus();
    const timer = window.setTimeout(() => remember({ notice: '' }), NOTICE_MS);
    return () => window.clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [notice]);
  // Drawn anew in the other group: the focus goes back where it was in this card.
  useLayoutEffect(() => {
    const was = focus.current;
    if (was?.id !== agent.id || (document.activeElement && document.activeElement !== document.body)) return;
    root.current?.querySelector<HTMLElement>(`[data-focus-key="${was.key}"]`)?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const gone = agent.status === 'missing' || agent.status === 'exited' || agent.status === 'stopped';
  const act = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      setNotice(done);
    } catch (err) {
      setNotice((err as Error).message);
    }
  };
  return (
    <article
      className={`overview-card ${agent.status}`}
      data-card={agent.id}
      ref={root}
      onFocus={(e) => (focus.current = e.target.dataset.focusKey ? { id: agent.id, key: e.target.dataset.focusKey } : null)}
    >
      <header className="overview-head">
        <input
          type="checkbox"
          checked={picked}
          aria-label={`select ${who(agent)}`}
          data-select={agent.id}
          data-focus-key="select"
          // A click carries shift; Space (the keyboard's click) arrives as a click too.
          onClick={(e) => onPick(agent.id, e.currentTarget.checked, e.shiftKey)}
          onChange={() => undefined}
        />
        <span className={`dot ${agent.status}`} aria-hidden />
        <h4>
          <button className="overview-open" onClick={() => onSelect(agent.id)} title={`open ${who(agent)}`}>
            {agent.name}
          </button>
        </h4>
        {host && (
          <span className="badge host" data-host={host} title={`runs on host ${host}`}>
            {host}
          </span>
        )}
        <span className="muted">{agent.role}</span>
        <span className="overview-status" data-status={agent.status}>
          {agent.limitedUntil ? `${agent.status} until ${clock(agent.limitedUntil)}` : `${agent.status} for ${since(agent.statusSince, now) || '–'}`}
        </span>
        {usage && (
          <span className="overview-usage muted" data-usage-card={agent.id} title="today's tokens and estimated cost at list prices (not a bill)">
            {costText(usage.costUsd)} · {tokenText(usage.input + usage.output + usage.cacheRead + usage.cacheWrite)} tokens today
          </span>
        )}
        <button className="overview-grid-add" onClick={() => onGrid([agent.id])} title={`show ${who(agent)} in the grid`}>
          Grid
        </button>
      </header>
      <p className="overview-task" data-task={task ? taskText(task) : ''} data-task-source={task?.source}>
        {task ? taskText(task) : <span className="muted">no task given</span>}
      </p>
      <pre className="overview-preview" data-preview={agent.id}>
        {preview}
      </pre>
      {/* Read again when the pushed screen changes, not on a timer. */}
      <DialogAnswer
        agent={agent}
        screen={preview}
        onAnswered={(text) => {
          // The answer's buttons go: the focus moves to the line that says it was answered.
          focus.current = { id: agent.id, key: 'notice' };
          setNotice(text);
        }}
      />
      <form
        className="overview-act"
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim()) void act(() => api.send(agent.id, draft).then(() => setDraft('')), `sent to ${who(agent)}`);
        }}
      >
        <input value={draft} onChange={(e) => setDraft(e.target.value)} aria-label={`quick message to ${who(agent)}`} placeholder="Quick message" disabled={gone} data-focus-key="quick" />
        <button type="button" onClick={() => void act(() => api.interrupt(agent.id), `${who(agent)} interrupted`)} disabled={gone} title={`interrupt ${who(agent)}`} data-focus-key="interrupt">
          Interrupt
        </button>
      </form>
      {notice && (
        <p className="notice" role="status" data-notice-for={agent.id} tabIndex={-1} data-focus-key="notice">
          {notice}
        </p>
      )}
    </article>
  );
}

// What is done to the selected agents together: one message, an interrupt, a kill (asked once,
// naming them), or the grid.
function SelectionBar({ selection, onGrid, onClear, onNotice }: { selection: Agent[]; onGrid: (ids: string[]) => void; onClear: () => void; onNotice: (text: string) => void }) {
  const [draft, setDraft] = useState('');
  if (selection.length === 0) return null;
  const names = selection.map(who).join(', ');
  // Each agent in turn; what failed is named with why.
  const each = async (verb: string, fn: (a: Agent) => Promise<unknown>) => {
    const failed: string[] = [];
    for (const agent of selection) {
      await fn(agent).catch((err: unknown) => failed.push(`${who(agent)} (${err instanceof ApiError && err.code === 'CMUX_ERR_UNMERGED_WORK' ? 'unmerged work: kill it from its own view' : (err as Error).message})`));
    }
    const done = selection.length - failed.length;
    onNotice(`${verb} ${done} of ${selection.length}${failed.length > 0 ? `; not: ${failed.join(', ')}` : ''}`);
    return failed.length === 0;
  };
  return (
    <section className="selection-bar" aria-label="selected agents">
      <span data-selected={selection.map((a) => a.id).join(',')}>
        {selection.length} selected: {names}
      </span>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim()) void each('sent to', (a) => api.send(a.id, draft)).then((ok) => ok && setDraft(''));
        }}
      >
        <input value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="message to the selected agents" placeholder="One message to all of them" />
        <button type="submit">Send to {selection.length}</button>
      </form>
      <button onClick={() => void each('interrupted', (a) => api.interrupt(a.id))}>Interrupt {selection.length}</button>
      <button onClick={() => onGrid(selection.map((a) => a.id))}>Grid</button>
      <button
        className="danger"
        onClick={() => {
          if (window.confirm(`Kill ${names}? Their terminals are archived in the journal.`)) void each('killed', (a) => api.kill(a.id));
        }}
      >
        Kill {selection.length}
      </button>
      <button onClick={onClear}>Clear selection</button>
    </section>
  );
}
