import { type Agent, type Task } from '../api';
import { taskText, useAgentTask, useBoardTasks } from '../agent-task';
import { needsYou, since, teamOrder } from '../format';
import '../agent-parts.css';

// Every agent at a glance: the ones that need the person (a dialog, a dead program) in a group
// of their own first, the rest in the team's steady order; each card with its status and how
// long it has been in it, its current task and the last lines of its terminal (pushed by the
// server in `agent_preview` frames: the overview reads nothing per agent on a timer).
export function Overview({
  agents,
  previews,
  now,
  mailTick,
  onSelect,
  onGrid,
}: {
  agents: Agent[];
  previews: Readonly<Record<string, string>>;
  now: number;
  mailTick: number;
  onSelect: (id: string) => void;
  // Show these agents in the grid.
  onGrid: (ids: string[]) => void;
}) {
  const tasks = useBoardTasks(mailTick);
  const ordered = teamOrder(agents);
  const urgent = ordered.filter(needsYou);
  const rest = ordered.filter((a) => !needsYou(a));
  const grid = (list: Agent[]) => (
    <ul className="overview-grid">
      {list.map((a) => (
        <li key={a.id}>
          <AgentCard agent={a} preview={previews[a.id] ?? ''} now={now} tasks={tasks} mailTick={mailTick} onSelect={onSelect} onGrid={onGrid} />
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

function AgentCard({
  agent,
  preview,
  now,
  tasks,
  mailTick,
  onSelect,
  onGrid,
}: {
  agent: Agent;
  preview: string;
  now: number;
  tasks: Task[] | null;
  mailTick: number;
  onSelect: (id: string) => void;
  onGrid: (ids: string[]) => void;
}) {
  const task = useAgentTask(agent, tasks, mailTick);
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
        <button className="overview-grid-add" onClick={() => onGrid([agent.id])} title={`show ${agent.name} in the grid`}>
          Grid
        </button>
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
