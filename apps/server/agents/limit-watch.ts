import type { AgentKind } from '../../core/src/agents/index.js';
import { setHold } from '../../core/src/holds/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { appendMessage } from '../../core/src/mailbox/index.js';
import type { AgentDeps } from '../../agents/index.js';
import { chooseOnScreen } from '../../agents/dialogs.js';
import { accountOf, limitOnScreen, type ScreenLimit } from '../../agents/limits/index.js';

// When the program did not say when its limit resets, cmux looks again this much later.
const UNKNOWN_RESET_MS = 5 * 60_000;
// A limit the program waits out by itself without saying when it resets lasts this long past
// the last reading that showed it (cmux's estimate; it is moved on while the screen shows it).
const RETRY_ESTIMATE_MS = 60_000;
export const LIMITS_ADDRESS = 'system:limits';
const HOLD_SOURCE = 'limit';

export interface WatchedAgent {
  id: string;
  kind: AgentKind;
  // The agent's own variables (its `--env`) over cmux's `agents.env`.
  env: Readonly<Record<string, string>>;
  windowId: string;
  pane: string | null;
}

interface Limit {
  until: number;
  reason: string;
  account: string;
  // The agent whose screen showed it.
  source: string;
  // Whether this agent's own screen showed a limit that stopped its turn (it may need `continue`).
  hit: boolean;
  // The source's program waits it out by itself: the limit is over once its screen stops saying so.
  retrying: boolean;
  kind: AgentKind;
}

// Turns what the agents' screens say about usage limits into a state: an agent whose screen
// reports a limit (its kind's `limits.screen` or `limits.retrying`), and every agent of the
// same account, reads `limited` until it is over, and the router holds their messages
// (state/holds.json, source `limit`). A menu the program opens after a limit (Codex offers a
// cheaper model) is answered with the kind's choice, so the agent is idle for what follows.
// A limit that stopped the program's turn (`limits.screen`) is over at the reset plus the
// router's margin; then the agents it stopped whose program does not retry by itself get
// `limits.continue.<kind>`, once, through the mailbox. Its words stay on screen after it, so
// the same words are one limit, and a reset already passed is an old one. A limit the program
// waits out by itself (`limits.retrying`, a retry countdown) is over as soon as its screen no
// longer shows it (the program got through, or was stopped), for its account-mates too and
// with no `continue`; or at its reset (said, else cmux's estimate) if no reading showed it
// since.
export function createLimitWatch(deps: AgentDeps, logger: Logger) {
  const { config } = deps;
  const said = new Map<string, string>();
  const limits = new Map<string, Limit>();
  const answering = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // The holds and messages on their way to disk: a stop waits for them, so none is cut short.
  const writing = new Set<Promise<void>>();
  const write = (done: Promise<unknown>, failed: string) => {
    const settled = done.then(
      () => undefined,
      (error: unknown) => logger.error(`${failed}: ${(error as Error).message}`),
    );
    writing.add(settled);
    void settled.finally(() => writing.delete(settled));
  };

  const hold = (id: string, limit: Limit | null) =>
    write(setHold(config.home, HOLD_SOURCE, id, limit && { reason: limit.reason, until: new Date(limit.until) }), `could not ${limit ? 'hold' : 'release'} ${id}'s messages for a usage limit`);

  function schedule(): void {
    clearTimeout(timer);
    if (stopped || limits.size === 0) return;
    const next = Math.min(...[...limits.values()].map((l) => l.until)) + config.router.holdMarginMs;
    timer = setTimeout(lift, Math.max(0, Math.min(next - Date.now(), 2 ** 31 - 1)));
  }

  // Lets the agent's messages go; one its limit stopped gets the kind's continue, where its
  // program does not retry by itself.
  function release(id: string, limit: Limit, why: string): void {
    limits.delete(id);
    hold(id, null);
    const text = limit.hit && !limit.kind.limits?.resumes ? (config.limits.continue[limit.kind.name] ?? null) : null;
    logger.info(`${id}: ${why}${text ? `; typing ${JSON.stringify(text)}` : ''}`);
    if (text) write(appendMessage(config.home, { from: LIMITS_ADDRESS, to: id, subject: text }), `could not send ${id} its continue`);
  }

  function lift(): void {
    const now = Date.now();
    for (const [id, limit] of limits) {
      if (limit.until + config.router.holdMarginMs > now) continue;
      release(id, limit, limit.retrying ? `no reading showed its usage limit since ${new Date(limit.until).toISOString()}; taken as over` : 'the usage limit has reset');
    }
    schedule();
  }

  // When a limit is over and why, as the reason says it.
  function until(seen: ScreenLimit, now: number): { until: number; when: string } {
    const note = seen.reset.note ? ` (${seen.reset.note})` : '';
    if (seen.retrying) {
      if (seen.reset.until !== null && seen.reset.until > now) return { until: seen.reset.until, when: `its program retries by itself; resets at ${new Date(seen.reset.until).toISOString()}, as it says${note}` };
      const at = now + RETRY_ESTIMATE_MS;
      return { until: at, when: `its program retries by itself and says no reset time; cmux's estimate ${new Date(at).toISOString()}, moved on while its screen shows the limit` };
    }
    if (seen.reset.until === null) {
      const at = now + UNKNOWN_RESET_MS;
      return { until: at, when: `no reset time read (${seen.reset.note ?? 'none said'}); looked at again at ${new Date(at).toISOString()}` };
    }
    return { until: seen.reset.until, when: `resets at ${new Date(seen.reset.until).toISOString()}${note}` };
  }

  const reasonOf = (agent: WatchedAgent, when: string) => `usage limit of its ${agent.kind.name} account, seen on ${agent.id}'s screen; ${when}`;

  // A new limit, seen on `agent`'s screen: it and every agent of its account read limited.
  function begin(agent: WatchedAgent, seen: ScreenLimit, agents: readonly WatchedAgent[], now: number): void {
    const account = accountOf(agent.kind, agent.env);
    const { until: at, when } = until(seen, now);
    const reason = reasonOf(agent, when);
    logger.warn(`${agent.id}: ${reason}: "${seen.said}"`);
    const sharing = agents.filter((other) => other.kind.name === agent.kind.name && accountOf(other.kind, other.env) === account);
    for (const other of sharing) {
      const hit = (other.id === agent.id && !seen.retrying) || (limits.get(other.id)?.hit ?? false);
      const limit = { until: at, reason, account, source: agent.id, hit, retrying: seen.retrying, kind: other.kind };
      limits.set(other.id, limit);
      hold(other.id, limit);
    }
    answerAfter(agent);
    const names = sharing.map((a) => a.id).join(', ');
    write(
      appendMessage(config.home, {
        from: LIMITS_ADDRESS,
        to: 'supervisor',
        subject: `[LIMIT] ${names}: ${agent.kind.name} usage limit until ${new Date(at).toISOString()}`,
        body: `${reason}.\nMessages to ${names} wait until then${seen.retrying ? `, or until ${agent.id}'s program gets through` : ''}.`,
      }),
      `could not tell the supervisor of ${agent.id}'s usage limit`,
    );
  }

  // `source`'s screen still shows the limit it waits out: its reset is what it says now, or
  // the estimate moved on once half of it is gone (the holds file is not written each second).
  function goOn(source: WatchedAgent, current: Limit, seen: ScreenLimit, now: number): void {
    const next = until(seen, now);
    const said = seen.reset.until !== null && seen.reset.until > now;
    if (said ? next.until === current.until : current.until - now > RETRY_ESTIMATE_MS / 2) return;
    const reason = reasonOf(source, next.when);
    for (const [id, limit] of limits) {
      if (limit.source !== source.id) continue;
      Object.assign(limit, { until: next.until, reason });
      hold(id, limit);
    }
  }

  // `agent`'s screen says a limit that stops turns while its account's is on already: the same
  // limit in other words (Gemini's error line once its dialog is answered) or met again by a
  // mate. One notice was enough; the agent may now need its continue, and the reset is the
  // later of the two.
  function again(agent: WatchedAgent, current: Limit, seen: ScreenLimit, now: number): void {
    const next = until(seen, now);
    current.hit = true;
    for (const [id, limit] of limits) {
      if (limit.account !== current.account || next.until <= limit.until) continue;
      Object.assign(limit, { until: next.until, reason: reasonOf(agent, next.when) });
      hold(id, limit);
    }
  }

  // `source`'s screen no longer shows the limit it waited out: over for its account, unless
  // another agent of the account still waits it out (that one carries it on).
  function over(source: WatchedAgent, current: Limit, agents: readonly WatchedAgent[], now: number): void {
    const other = agents.find(
      (a) => a.id !== source.id && a.pane && a.kind.name === current.kind.name && accountOf(a.kind, a.env) === current.account && limitOnScreen(a.kind, a.pane, now)?.retrying,
    );
    for (const [id, limit] of limits) {
      if (limit.source !== source.id) continue;
      if (other) limit.source = other.id;
      else release(id, limit, `${source.id}'s screen no longer shows the usage limit its program waited out: over`);
    }
  }

  // Picks the kind's choice in a menu the program shows after a limit, once at a time.
  function answerAfter(agent: WatchedAgent): void {
    const menu = agent.pane ? agent.kind.limits?.after.find((a) => a.when.test(agent.pane!)) : undefined;
    if (!menu || answering.has(agent.id)) return;
    answering.add(agent.id);
    chooseOnScreen(deps.tmux, agent.windowId, (pane) => menu.when.test(pane), menu.choose, agent.kind.choiceCursor)
      .then(() => logger.info(`${agent.id}: chose ${JSON.stringify(menu.choose)} in the menu after its usage limit`))
      .catch((error: unknown) => logger.warn(`${agent.id}: could not answer the menu after its usage limit: ${(error as Error).message}`))
      .finally(() => answering.delete(agent.id));
  }

  return {
    // Reads the agents' screens of one reading.
    look(agents: readonly WatchedAgent[], now: number = Date.now()): void {
      for (const agent of agents) {
        if (!agent.pane || !agent.kind.limits) continue;
        const seen = limitOnScreen(agent.kind, agent.pane, now);
        const current = limits.get(agent.id);
        if (current) answerAfter(agent);
        if (current?.retrying && seen?.retrying) {
          // The account's limit is on already; only its source's screen moves it.
          if (current.source === agent.id) goOn(agent, current, seen, now);
          continue;
        }
        if (current?.retrying && current.source === agent.id) over(agent, current, agents, now);
        if (!seen) continue;
        if (!seen.retrying) {
          if (said.get(agent.id) === seen.said) continue;
          said.set(agent.id, seen.said);
          if (seen.reset.until !== null && seen.reset.until + config.router.holdMarginMs <= now) continue;
          if (current && !current.retrying) {
            again(agent, current, seen, now);
            continue;
          }
        }
        begin(agent, seen, agents, now);
      }
      schedule();
    },
    // The agent's limit, while it lasts.
    of(id: string): { until: string } | null {
      const limit = limits.get(id);
      return limit ? { until: new Date(limit.until).toISOString() } : null;
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      while (writing.size > 0) await Promise.all(writing);
    },
  };
}

export type LimitWatch = ReturnType<typeof createLimitWatch>;
