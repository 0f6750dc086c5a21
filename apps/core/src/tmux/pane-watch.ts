import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlLink, OutputSignal } from './control-link.js';

// `printed`: the pane printed. `quiet`: it printed nothing for the time asked. `unknown`: no
// stream shows this pane (a client that spawns tmux, a connection that is down, a pane of
// another session), so only its screen can tell.
export type PaneActivity = 'printed' | 'quiet' | 'unknown';

export interface PaneWatch {
  // Resolves `printed` as soon as the pane has printed since the watch began or since the last
  // `printed`; `quiet` after `timeoutMs` of silence; `unknown` after `pollMs` (at most
  // `timeoutMs`) when there is no stream to hear it by: the caller looks at the screen then.
  printed(timeoutMs: number, pollMs?: number): Promise<PaneActivity>;
  // Like `printed`, but once the pane printed, also waits until it held still for `quietMs`
  // (within the same `timeoutMs`): a program redraws in pieces, and half a redraw — a cleared
  // input box not drawn again yet — must not be read as the screen.
  redrawn(timeoutMs: number, opts: { quietMs: number; pollMs?: number }): Promise<PaneActivity>;
  close(): void;
}

// Where a target is: its pane id and session; null when it is gone.
export type LocatePane = () => Promise<{ pane: string; session: string } | null>;

// A watch on one pane's output, for a wait that should end when the pane prints rather than at
// the next poll. Listening starts before this resolves, so output caused by what the caller does
// next is heard.
export async function createPaneWatch(link: ControlLink | null, locate: LocatePane): Promise<PaneWatch> {
  let pending = false;
  let closed = false;
  // The pane is not in the streamed session (or is gone): it is never heard.
  let elsewhere = false;
  let unsubscribe: (() => void) | null = null;
  let wake: ((signal: OutputSignal) => void) | null = null;

  const hear = (signal: OutputSignal) => {
    if (signal === 'printed') pending = true;
    else {
      unsubscribe?.();
      unsubscribe = null;
    }
    wake?.(signal);
  };

  // Listens when a stream is up (again): a watch outlives a reconnection.
  async function listen(): Promise<void> {
    if (unsubscribe || elsewhere || closed || !link?.live) return;
    const where = await locate().catch(() => null);
    if (unsubscribe || closed) return;
    if (!where || where.session !== link.session) elsewhere = true;
    else unsubscribe = link.onOutput(where.pane, hear);
  }

  await listen();
  const watch: PaneWatch = {
    async printed(timeoutMs: number, pollMs = timeoutMs): Promise<PaneActivity> {
      await listen();
      if (pending) {
        pending = false;
        return 'printed';
      }
      if (!unsubscribe) {
        await sleep(Math.max(0, Math.min(timeoutMs, pollMs)));
        return 'unknown';
      }
      return new Promise<PaneActivity>((resolve) => {
        const timer = setTimeout(() => {
          wake = null;
          resolve('quiet');
        }, Math.max(0, timeoutMs));
        wake = (signal) => {
          clearTimeout(timer);
          wake = null;
          pending = false;
          resolve(signal);
        };
      });
    },
    async redrawn(timeoutMs: number, { quietMs, pollMs }: { quietMs: number; pollMs?: number }): Promise<PaneActivity> {
      const deadline = Date.now() + timeoutMs;
      const first = await watch.printed(timeoutMs, pollMs);
      if (first !== 'printed') return first;
      while (Date.now() < deadline && (await watch.printed(Math.min(quietMs, deadline - Date.now()))) === 'printed');
      return 'printed';
    },
    close(): void {
      closed = true;
      unsubscribe?.();
      unsubscribe = null;
      wake?.('unknown');
    },
  };
  return watch;
}
