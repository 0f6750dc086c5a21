import { useEffect, useState } from 'react';
import { api, type UsageReport } from './api';

// Read again this often: the server reads the agents' logs every 15 s.
const REFRESH_MS = 30_000;

// Today's usage per agent, read once for every part of the page that shows it (the header's
// total, the overview's cards), and again every REFRESH_MS while any is shown.
let latest: UsageReport | null = null;
const listeners = new Set<(report: UsageReport) => void>();
let timer: number | undefined;

function read(): void {
  void api.usageToday().then(
    (report) => {
      latest = report;
      for (const listener of listeners) listener(report);
    },
    () => undefined,
  );
}

export function useTodayUsage(): UsageReport | null {
  const [report, setReport] = useState(latest);
  useEffect(() => {
    listeners.add(setReport);
    if (listeners.size === 1) {
      read();
      timer = window.setInterval(read, REFRESH_MS);
    }
    return () => {
      listeners.delete(setReport);
      if (listeners.size === 0) window.clearInterval(timer);
    };
  }, []);
  return report;
}
