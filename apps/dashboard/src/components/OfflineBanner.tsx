import { clock } from '../format';
import type { ConnectionState } from '../live';

// Said plainly while the server does not answer: what the page shows is the last known state.
export function OfflineBanner({ since, state }: { since: number; state: ConnectionState }) {
  return (
    <p className="offline-banner" role="status" data-offline-since={since}>
      <b>Offline</b> since {clock(new Date(since).toISOString())}: the cmux server does not answer. Statuses, processes and times below are the last known
      ones, greyed, and not counting. {state === 'connecting' ? 'Trying to reconnect now…' : 'The page reconnects by itself and then fetches everything afresh.'}
    </p>
  );
}
