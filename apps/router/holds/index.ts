import { setTimeout as sleep } from 'node:timers/promises';

// Why one agent's messages wait: a source's reason, and when it lifts (epoch ms; null: when
// the source clears it).
export interface Hold {
  reason: string;
  until: number | null;
  // Who holds, for a source that speaks for several (the holds file); else the source's name.
  by?: string;
}

// A source of holds, and how another part of cmux adds one (a usage limit, a budget…) without
// touching the router: implement this and list it in ./sources.ts.
//   holdOf(agent)  the hold this source puts on the agent (its id, as agentId gives it) now,
//                  or null. Called before every delivery and at every wake, so it answers
//                  from memory. An `until` in the past is no hold (the margin is added here).
//   watch(wake)    calls `wake` whenever an answer may have changed (a file it reads was
//                  written, a limit lifted early); returns what stops watching.
// A source that cannot tell (its file is torn) answers null: a broken source never parks mail
// for good. Sources that write their holds to state/holds.json (apps/core/src/holds, any
// process) need no source of their own: the file source reads them all.
export interface HoldSource {
  readonly name: string;
  holdOf(agent: string): Hold | null;
  watch(wake: () => void): () => void;
}

// A hold as the router applies it: `until` with the margin added, `source` who holds.
export interface HeldBy {
  reason: string;
  until: number | null;
  source: string;
}

// Waits are looked at again at least this often, whatever the sources say: a source that
// forgot to wake costs a delay, never a parked message.
const SAFETY_LOOK_MS = 5_000;

export type HoldWait = 'go' | 'stopping' | 'withdrawn';

// The holds of all sources, as the router asks them: the first source that holds an agent
// gives the reason; a hold whose `until` (plus `marginMs`, for the clocks of the program and
// its provider) has passed is lifted whatever its source still says.
export function createHolds(sources: readonly HoldSource[], marginMs: number) {
  const waiters = new Set<() => void>();
  let stopped = false;
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };
  const unwatch = sources.map((source) => source.watch(wakeAll));

  function holdOf(agent: string, now = Date.now()): HeldBy | null {
    for (const source of sources) {
      const hold = source.holdOf(agent);
      if (hold && (hold.until === null || hold.until + marginMs > now)) return { reason: hold.reason, until: hold.until === null ? null : hold.until + marginMs, source: hold.by ?? source.name };
    }
    return null;
  }

  return {
    holdOf,
    // Resolves once the agent is held by no source: at once when it is not. While it is,
    // `held` is told the hold at every look (false: the message was withdrawn meanwhile, and
    // the wait ends with `withdrawn`); `isStopping` ends the wait with `stopping`.
    async whileHeld(agent: string, held: (hold: HeldBy) => boolean, isStopping: () => boolean): Promise<HoldWait> {
      for (;;) {
        if (stopped || isStopping()) return 'stopping';
        const hold = holdOf(agent);
        if (!hold) return 'go';
        if (!held(hold)) return 'withdrawn';
        const wait = Math.max(1, Math.min(SAFETY_LOOK_MS, hold.until === null ? SAFETY_LOOK_MS : hold.until - Date.now()));
        const controller = new AbortController();
        const wake = () => controller.abort();
        waiters.add(wake);
        await sleep(wait, undefined, { signal: controller.signal }).catch(() => undefined);
        waiters.delete(wake);
      }
    },
    // Looks again now (the router stops, a test changed a source).
    wake: wakeAll,
    stop(): void {
      stopped = true;
      for (const stop of unwatch) stop();
      wakeAll();
    },
  };
}

export type Holds = ReturnType<typeof createHolds>;

// What a held message's history says (status `queued`): the reason, and when it follows.
export function heldDetail(hold: HeldBy): string {
  const when = hold.until === null ? 'when that is cleared' : `at ${new Date(hold.until).toISOString()}`;
  return `held (${hold.source}): ${hold.reason}; the message follows ${when}`;
}
