import { useTodayUsage } from '../today-usage';
import { costText, tokenText } from '../usage-text';

// The header's cost of today (UTC), estimated at list prices, opening onto each agent's part
// and from there onto the usage view (projects, budgets, the days before).
export function UsageToday({ onOpen }: { onOpen: () => void }) {
  const report = useTodayUsage();
  if (!report) return null;
  const { total } = report;
  return (
    <details className="usage-today" data-usage-total={total.costUsd ?? 'n/a'}>
      <summary title="today's estimated cost at list prices (not a bill)">{costText(total.costUsd)} today</summary>
      <div className="usage-panel">
      <table>
        <thead>
          <tr>
            <th>agent</th>
            <th>in</th>
            <th>out</th>
            <th>cache</th>
            <th>est.</th>
          </tr>
        </thead>
        <tbody>
          {report.lines.map((line) => (
            <tr key={line.key} data-usage-agent={line.key}>
              <td>{line.key}</td>
              <td>{tokenText(line.input)}</td>
              <td>{tokenText(line.output)}</td>
              <td>{tokenText(line.cacheRead + line.cacheWrite)}</td>
              <td>{costText(line.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {report.lines.length === 0 ? 'No usage recorded today. ' : ''}
        Estimates at list prices{report.pricesAsOf.length > 0 ? ` of ${report.pricesAsOf.join(', ')}` : ''}, not bills
        {report.unpriced.length > 0 ? `; no price for ${report.unpriced.join(', ')}` : ''}.
      </p>
      <button className="link" data-open-usage onClick={(e) => {
        e.currentTarget.closest('details')?.removeAttribute('open');
        onOpen();
      }}>
        Projects, budgets and the last 14 days
      </button>
      </div>
    </details>
  );
}
