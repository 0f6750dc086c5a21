import { useEffect, useState } from 'react';
import { api, type Agent, type Task } from '../api';
import { taskText, useAgentTask, useBoardTasks } from '../agent-task';
import { needsYou, since, teamOrder } from '../format';
import '../agent-parts.css';

// How often a card's preview of the agent's last lines is read again.
const PREVIEW_MS = 2_000;
const PREVIEW_LINES = 6;

// Every agent at a glance: the ones that need the person (a dialog, a dead program) in a group
// of their own first, the rest in the team's steady order; each card with its status and how
// long it has been in it, its current task and the last lines of its terminal.
export function Overview({ agents, now, mailTick, onSelect }: { agents: Agent[]; now: number; mailTick: number; onSelect: (id: string) => void }) {
  const tasks = useBoardTasks(mailTick);
  const ordered = teamOrder(agents);
  const urgent = ordered.filter(needsYou);
  const rest = ordered.filter((a) => !needsYou(a));
  const grid = (list: Agent[]) => (
    <ul className="overview-grid">
      {list.map((a) => (
        <li key={a.id}>
          <AgentCard agent={a} now={now} tasks={tasks} mailTick={mailTick} onSelect={onSelect} />
        </li>
      ))}
    </ul>
  );
  return (
    <section className="overview" aria-label="overview">
      <h2>Overview</h2>
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

function AgentCard({ agent, now, tasks, mailTick, onSelect }: { agent: Agent; now: number; tasks: Task[] | null; mailTick: number; onSelect: (id: string) => void }) {
  const task = useAgentTask(agent, tasks, mailTick);
  const preview = usePreview(agent.id);
  return (
    <article className={`overview-card ${agent.status}`} data-card={agent.id}>
      <header className="overview-head">
        <span className={`dot ${agent.status}`} aria-hidden />
        <h4>
          <button className="overview-open" onClick={() => onSelect(agent.id)} title={`open ${agent.name}`}>
            {agent.name}
          </button>
        </h4>
        <span className="muted">{agent.role}</span>
        <span className="overview-status" data-status={agent.status}>
          {agent.status} for {since(agent.statusSince, now) || '–'}
        </span>
      </header>
      <p className="overview-task" data-task={task ? taskText(task) : ''} data-task-source={task?.source}>
        {task ? taskText(task) : <span className="muted">no task given</span>}
      </p>
      <pre className="overview-preview" data-preview={agent.id}>
        {preview}
      </pre>
    </article>
  );
}

// The agent's last non-empty terminal lines, read again every few seconds while shown.
function usePreview(agentId: string): string {
  const [text, setText] = useState('');
  useEffect(() => {
    let stop = false;
    let timer: number | undefined;
    const read = async () => {
      try {
        const { text: pane } = await api.terminal(agentId, 40);
        if (!stop) setText(pane.split('\n').filter((line) => line.trim() !== '').slice(-PREVIEW_LINES).join('\n'));
      } catch {
        // A gone agent keeps its last preview; its status says why.
      }
      if (!stop) timer = window.setTimeout(() => void read(), PREVIEW_MS);
    };
    void read();
    return () => {
      stop = true;
      window.clearTimeout(timer);
    };
  }, [agentId]);
  return text;
}
