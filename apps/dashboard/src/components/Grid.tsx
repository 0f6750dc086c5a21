import { api, type Agent, type AgentTerminal } from '../api';
import { teamOrder, who } from '../format';
import { useFadingNotice } from '../fresh';
import { GRID_MAX } from '../address';
import '../agent-parts.css';
import { MessageBox } from './MessageBox';
import { Terminal } from './Terminal';

// How long the outcome of an action (interrupted, sent) stays in a cell.
const NOTICE_MS = 8_000;

// Several agents side by side (2–6, picked with the checkboxes or from the overview's cards):
// each cell its live terminal (streamed over the WebSocket), status, a message box and an
// interrupt. The address names the agents, so a bookmark reopens the same grid.
export function Grid({
  agents,
  ids,
  terminals,
  onChange,
  onOpen,
}: {
  agents: readonly Agent[];
  ids: readonly string[];
  terminals: Readonly<Record<string, AgentTerminal>>;
  onChange: (ids: string[]) => void;
  onOpen: (id: string) => void;
}) {
  const toggle = (id: string, on: boolean) => onChange(on ? [...ids, id] : ids.filter((x) => x !== id));
  return (
    <main className="grid-view" aria-label="grid">
      <h2>Grid</h2>
      <fieldset className="grid-pick">
        <legend>
          Agents side by side ({ids.length} of at most {GRID_MAX})
        </legend>
        {teamOrder([...agents]).map((a) => {
          const shown = ids.includes(a.id);
          return (
            <label key={a.id} className="grid-pick-agent">
              <input type="checkbox" checked={shown} disabled={!shown && ids.length >= GRID_MAX} onChange={(e) => toggle(a.id, e.target.checked)} data-pick={a.id} />
              {who(a)}
            </label>
          );
        })}
      </fieldset>
      {ids.length === 0 && <p className="muted">Pick two to six agents above, or “Grid” on their overview cards.</p>}
      <ul className="grid-cells" data-cells={ids.length}>
        {ids.map((id) => {
          const agent = agents.find((a) => a.id === id);
          return (
            <li key={id}>
              {agent ? (
                <GridCell agent={agent} terminal={terminals[id] ?? null} onOpen={() => onOpen(id)} onRemove={() => toggle(id, false)} />
              ) : (
                <section className="grid-cell" aria-label={id} data-cell={id}>
                  <p role="status">
                    No agent named <b>{id}</b> runs now.{' '}
                    <button onClick={() => toggle(id, false)}>Remove from grid</button>
                  </p>
                </section>
              )}
            </li>
          );
        })}
      </ul>
    </main>
  );
}

function GridCell({ agent, terminal, onOpen, onRemove }: { agent: Agent; terminal: AgentTerminal | null; onOpen: () => void; onRemove: () => void }) {
  const [notice, setNotice] = useFadingNotice(NOTICE_MS);
  const interrupt = async () => {
    try {
      await api.interrupt(agent.id);
      setNotice(`${who(agent)} interrupted`);
    } catch (err) {
      setNotice((err as Error).message);
    }
  };
  const gone = agent.status === 'missing' || agent.status === 'exited' || agent.status === 'stopped';
  return (
    <section className={`grid-cell ${agent.status}`} aria-label={who(agent)} data-cell={agent.id}>
      <header className="grid-cell-head">
        <h3>
          <button className="link" onClick={onOpen} title={`open ${who(agent)}`}>
            {who(agent)}
          </button>
        </h3>
        <span className={`badge ${agent.status}`} data-status={agent.status}>
          {agent.status}
        </span>
        <button onClick={() => void interrupt()} disabled={gone} aria-label={`interrupt ${who(agent)}`}>
          Interrupt
        </button>
        <button onClick={onRemove} aria-label={`remove ${who(agent)} from the grid`}>
          ✕
        </button>
      </header>
      {notice && (
        <p className="notice" role="status" data-notice-for={agent.id}>
          {notice}
        </p>
      )}
      <Terminal text={terminal?.text ?? ''} agentId={agent.id} agentName={who(agent)} />
      <MessageBox
        label={`message to ${who(agent)}`}
        disabled={gone}
        onSend={async (text) => {
          await api.send(agent.id, text);
          setNotice(`sent to ${who(agent)}`);
        }}
      />
    </section>
  );
}
