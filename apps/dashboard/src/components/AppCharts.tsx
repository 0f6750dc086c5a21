import { useEffect, useRef, useState } from 'react';
import { followLog, type AppSamples } from '../api';
import { bytes } from '../format';

const WIDTH = 120;
const HEIGHT = 24;
// What the log panel keeps: the newest characters, as a terminal's scrollback would.
const LOG_KEEP_CHARS = 200_000;

// An app's memory over the last hour as a line, and its restarts in that hour as a count: the
// chart is an SVG polyline, no chart library.
export function AppSparkline({ name, samples }: { name: string; samples: AppSamples['apps'][string] | undefined }) {
  const points = (samples ?? []).filter((s) => s.memory !== null) as Array<{ at: string; memory: number; restarts: number }>;
  const all = samples ?? [];
  const restarts = all.length > 1 ? Math.max(0, all.at(-1)!.restarts - all[0]!.restarts) : 0;
  const max = Math.max(1, ...points.map((p) => p.memory));
  const min = Math.min(max, ...points.map((p) => p.memory));
  const span = Math.max(1, max - min);
  const line = points.map((p, i) => `${points.length === 1 ? WIDTH : (i / (points.length - 1)) * WIDTH},${HEIGHT - 2 - ((p.memory - min) / span) * (HEIGHT - 4)}`).join(' ');
  const label = points.length === 0 ? `${name}: no memory reading in the last hour` : `${name} memory over the last hour: ${bytes(min)} to ${bytes(max)}, now ${bytes(points.at(-1)!.memory)}; ${restarts} restart${restarts === 1 ? '' : 's'}`;
  return (
    <span className="sparkline" data-restarts-hour={restarts} data-samples={all.length}>
      <svg width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
        <title>{label}</title>
        {points.length > 0 && <polyline points={line} fill="none" stroke="currentColor" strokeWidth="1.5" />}
      </svg>{' '}
      <span className="muted">{restarts} restarts/h</span>
    </span>
  );
}

// An app's log followed live (what `cmux logs -f <app>` prints), newest at the bottom, until
// closed.
export function LogFollower({ name, onClose }: { name: string; onClose: () => void }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'following' | 'ended' | string>('following');
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const abort = new AbortController();
    setText('');
    setState('following');
    followLog(name, (piece) => setText((t) => (t + piece).slice(-LOG_KEEP_CHARS)), abort.signal).then(
      () => !abort.signal.aborted && setState('ended'),
      (e: Error) => !abort.signal.aborted && setState(e.message),
    );
    return () => abort.abort();
  }, [name]);
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [text]);
  return (
    <section className="log-follower" aria-label={`log of ${name}`} data-following={name}>
      <h3>
        Log of {name} <span className="muted" role="status">{state === 'following' ? 'following live' : state === 'ended' ? 'the stream ended' : state}</span>
      </h3>
      <pre ref={box} tabIndex={0} data-log-text={text.length}>
        {text}
      </pre>
      <button onClick={onClose}>Stop following</button>
    </section>
  );
}
