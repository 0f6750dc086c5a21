import { createHash } from 'node:crypto';

// How long a delivery is remembered, and how many at most (the oldest are forgotten first).
export const REPLAY_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_REMEMBERED = 10_000;

export interface Delivery {
  source: string;
  // X-GitHub-Delivery (or X-Request-Id), when the sender gives one.
  deliveryId: string | undefined;
  // The body, when a signature vouched for it.
  signedBody: Buffer | undefined;
}

// Remembers the deliveries it accepted, so a replay is accepted once: the same delivery id,
// or the same signed body (whatever event header comes with it) within REPLAY_WINDOW_MS.
// In memory: a restarted server starts with an empty memory.
export function createReplayGuard(now: () => number = Date.now) {
  const seen = new Map<string, number>();
  const keysOf = (d: Delivery): string[] => [
    ...(d.deliveryId ? [`id:${d.source}:${d.deliveryId}`] : []),
    ...(d.signedBody ? [`body:${d.source}:${createHash('sha256').update(d.signedBody).digest('hex')}`] : []),
  ];
  return {
    // Null when this delivery was taken before (within the window); otherwise takes it and
    // returns how to give it back (when storing it failed, so the sender's retry is not a replay).
    claim(delivery: Delivery): (() => void) | null {
      const at = now();
      for (const [key, expires] of seen) {
        if (expires > at && seen.size <= MAX_REMEMBERED) break;
        seen.delete(key);
      }
      const keys = keysOf(delivery);
      if (keys.some((k) => (seen.get(k) ?? 0) > at)) return null;
      for (const key of keys) seen.set(key, at + REPLAY_WINDOW_MS);
      return () => keys.forEach((k) => seen.delete(k));
    },
  };
}

export type ReplayGuard = ReturnType<typeof createReplayGuard>;
