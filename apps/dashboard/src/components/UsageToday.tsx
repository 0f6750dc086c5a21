import { useEffect, useState } from 'react';
import { api, type UsageReport } from '../api';
import { costText, tokenText } from '../usage-text';

// Read again this often: the server reads the agents' logs every 15 s.
const REFRESH_MS = 30_000;

// The header's cost of today (UTC), estimated at list prices, opening onto each agent's part.
export function UsageToday() {
  const [report, setReport] = useState<UsageReport | null>(null);
  useEffect(() => {
    let stale = false;
    const read = () => void api.usageToday().then((r) => !stale && setReport(r), () => undefined);
    read();
    const timer = window.setInterval(read, REFRESH_MS);
    return () => {
      stale = true;
      window.clearInterval(timer);
    };
  }, []);
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
      </div>
    </details>
  );
}
