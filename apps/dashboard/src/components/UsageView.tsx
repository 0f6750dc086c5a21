import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, type BudgetState, type UsageLine, type UsageReport } from '../api';
import { costText, tokenText } from '../usage-text';

const REFRESH_MS = 30_000;
const DAYS = 14;

interface Usage {
  agents: UsageReport;
  projects: UsageReport;
  days: UsageReport;
  budgets: BudgetState;
  names: string[];
}

async function readUsage(): Promise<Usage> {
  const [agents, projects, days, budgets, list] = await Promise.all([
    api.usage('agent', 'today'),
    api.usage('project', 'today'),
    api.usage('day', `${DAYS}d`),
    api.budgets(),
    api.projects(),
  ]);
  return { agents, projects, days, budgets, names: ['all', ...list.map((p) => p.name)] };
}

// Usage and cost today per project and per agent, the daily budgets against them, and the last
// 14 days as a chart: estimates at list prices (apps/usage), read again every REFRESH_MS.
export function UsageView() {
  const [usage, setUsage] = useState<Usage | null>(null);
  const [problem, setProblem] = useState('');
  const load = useCallback(() => readUsage().then(setUsage, (error: Error) => setProblem(error.message)), []);
  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);
  if (!usage) return <section className="usage-view">{problem ? <p role="alert">{problem}</p> : <p className="loading">Loading…</p>}</section>;
  const { agents, projects, days, budgets } = usage;
  const asOf = [...new Set([...agents.pricesAsOf, ...days.pricesAsOf])].sort();
  const unpriced = [...new Set([...days.unpriced, ...budgets.unpriced])].sort();
  return (
    <section className="usage-view" aria-label="usage">
      <h2>Usage and cost</h2>
      <p className="muted">
        Today is {budgets.day} (UTC). Costs are estimates at list prices{asOf.length > 0 ? ` of ${asOf.join(', ')}` : ''} from the tokens the agents&apos; programs recorded, not bills
        {unpriced.length > 0 ? `; no price for ${unpriced.join(', ')}` : ''}.
      </p>
      <Budgets state={budgets} names={usage.names} onChanged={(state) => setUsage({ ...usage, budgets: state })} />
      <h3>The last {DAYS} days</h3>
      <DayChart lines={days.lines} today={budgets.day} />
      <div className="usage-tables">
        <UsageTable caption="Per project, today" what="project" report={projects} />
        <UsageTable caption="Per agent, today" what="agent" report={agents} />
      </div>
    </section>
  );
}

function Budgets({ state, names, onChanged }: { state: BudgetState; names: string[]; onChanged: (state: BudgetState) => void }) {
  const [name, setName] = useState(names[0] ?? 'all');
  const [amount, setAmount] = useState('');
  const [notice, setNotice] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const usd = Number(amount);
    if (!/^\d+(\.\d+)?$/.test(amount.trim()) || !(usd > 0)) return setNotice('an amount in dollars a day, more than 0');
    api.setBudget(name, usd).then(
      (next) => {
        onChanged(next);
        setAmount('');
        setNotice(`budget ${name} set to ${costText(usd)} a day`);
      },
      (error: Error) => setNotice(error.message),
    );
  };
  return (
    <section aria-label="budgets">
      <h3>Daily budgets</h3>
      {state.lines.length === 0 ? (
        <p className="muted">No budgets. At 80 % of one an alert comes; at 100 % messages to its agents wait until the next UTC day or until it is raised.</p>
      ) : (
        <ul className="budgets">
          {state.lines.map((line) => (
            <li key={line.name} data-budget={line.name} data-budget-percent={line.percent} className={line.reached ? 'reached' : line.percent >= 80 ? 'warn' : ''}>
              <span className="budget-name">{line.name}</span>
              <span className="budget-bar" aria-hidden>
                <span style={{ width: `${Math.min(100, line.percent)}%` }} />
              </span>
              <span>
                {costText(line.spentUsd)} of {costText(line.usdPerDay)} ({line.percent} %)
              </span>
              {line.reached && <span className="budget-held">reached: messages to its agents wait until UTC midnight ({new Date(state.resetsAt).toLocaleString()} here) or a raise</span>}
            </li>
          ))}
        </ul>
      )}
      <form className="budget-form" onSubmit={submit}>
        <select value={name} onChange={(e) => setName(e.target.value)} aria-label="budget for">
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <input value={amount} onChange={(e) => setAmount(e.target.value)} inputMode="decimal" aria-label="dollars a day" placeholder="dollars a day" size={10} />
        <button type="submit">Set budget</button>
      </form>
      {notice && (
        <p className="notice" role="status" data-budget-notice>
          {notice}
        </p>
      )}
    </section>
  );
}

// One bar per UTC day, the last `DAYS` up to today, as tall as its estimated cost; a day with
// an unpriced model draws what is known and says so in its title.
function DayChart({ lines, today }: { lines: UsageLine[]; today: string }) {
  const end = Date.parse(`${today}T00:00:00Z`);
  const days = Array.from({ length: DAYS }, (_, i) => new Date(end - (DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10));
  const byDay = new Map(lines.map((l) => [l.key, l]));
  const costs = days.map((day) => byDay.get(day)?.costUsd ?? 0);
  const top = Math.max(...costs, 0);
  const total = costs.reduce((a, b) => a + b, 0);
  const width = 28;
  const height = 120;
  return (
    <figure className="day-chart">
      <svg viewBox={`0 0 ${DAYS * width} ${height + 18}`} role="img" aria-label={`estimated cost per day, ${days[0]} to ${today}: ${costText(total)} in all, ${costText(top)} the most in a day`}>
        <line x1={0} x2={DAYS * width} y1={height + 0.5} y2={height + 0.5} className="baseline" />
        {days.map((day, i) => {
          const line = byDay.get(day);
          const cost = costs[i]!;
          const h = top > 0 ? Math.max(cost > 0 ? 2 : 0, (cost / top) * height) : 0;
          return (
            <g key={day} data-day={day} data-cost={cost}>
              <title>{`${day}: ${line ? `${costText(line.costUsd)}, ${tokenText(line.input + line.output + line.cacheRead + line.cacheWrite)} tokens` : 'nothing recorded'}`}</title>
              <rect x={i * width + 4} y={height - h} width={width - 8} height={h} className={day === today ? 'today' : ''} />
              {(i === 0 || i === DAYS - 1 || i === Math.floor(DAYS / 2)) && (
                <text x={i * width + width / 2} y={height + 14} textAnchor="middle">
                  {day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="muted">Estimated cost per UTC day; the tallest bar is {costText(top)}.</figcaption>
    </figure>
  );
}

function UsageTable({ caption, what, report }: { caption: string; what: string; report: UsageReport }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table className="usage-table" data-usage-by={what}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{what}</th>
            <th scope="col">calls</th>
            <th scope="col">in</th>
            <th scope="col">out</th>
            <th scope="col">cache</th>
            <th scope="col">est.</th>
          </tr>
        </thead>
        <tbody>
          {report.lines.map((line) => (
            <tr key={line.key} data-usage-row={line.key}>
              <th scope="row">{line.key}</th>
              <td>{line.calls}</td>
              <td>{tokenText(line.input)}</td>
              <td>{tokenText(line.output)}</td>
              <td>{tokenText(line.cacheRead + line.cacheWrite)}</td>
              <td>{costText(line.costUsd)}</td>
            </tr>
          ))}
          {report.lines.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                Nothing recorded today.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
