import type { AgentKind } from '../../core/src/agents/index.js';
import { setHold } from '../../core/src/holds/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { appendMessage } from '../../core/src/mailbox/index.js';
import type { AgentDeps } from '../../agents/index.js';
import { chooseOnScreen } from '../../agents/dialogs.js';
import { accountOf, limitOnScreen } from '../../agents/limits/index.js';

// When the program did not say when its limit resets, cmux looks again this much later.
const UNKNOWN_RESET_MS = 5 * 60_000;
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
  // Whether this agent's own screen showed it (its turn was stopped: it may need `continue`).
  hit: boolean;
  kind: AgentKind;
}

// Turns what the agents' screens say about usage limits into a state: an agent whose screen
// reports a limit (its kind's `limits.screen`), and every agent of the same account, reads
// `limited` until the reset, and the router holds their messages (state/holds.json, source
// `limit`). A menu the program opens after a limit (Codex offers a cheaper model) is answered
// with the kind's choice, so the agent is idle for what follows. At the reset plus the router's
// margin the hold goes, and the agents the limit stopped whose program does not retry by itself
// get `limits.continue.<kind>`, once, through the mailbox. The same words on screen are one
// limit (they stay there after it), and a reset already passed is an old one.
export function createLimitWatch(deps: AgentDeps, logger: Logger) {
  const { config } = deps;
  const said = new Map<string, string>();
  const limits = new Map<string, Limit>();
  const answering = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const hold = (id: string, limit: Limit | null) =>
    setHold(config.home, HOLD_SOURCE, id, limit && { reason: limit.reason, until: new Date(limit.until) }).catch((error: unknown) =>
      logger.error(`could not ${limit ? 'hold' : 'release'} ${id}'s messages for a usage limit: ${(error as Error).message}`),
    );

  function schedule(): void {
    clearTimeout(timer);
    if (stopped || limits.size === 0) return;
    const next = Math.min(...[...limits.values()].map((l) => l.until)) + config.router.holdMarginMs;
    timer = setTimeout(lift, Math.max(0, Math.min(next - Date.now(), 2 ** 31 - 1)));
  }

  function lift(): void {
    const now = Date.now();
    for (const [id, limit] of limits) {
      if (limit.until + config.router.holdMarginMs > now) continue;
      limits.delete(id);
      void hold(id, null);
      const text = config.limits.continue[limit.kind.name] ?? null;
      logger.info(`${id}: the usage limit has reset${limit.hit && !limit.kind.limits?.resumes && text ? `; typing ${JSON.stringify(text)}` : ''}`);
      if (limit.hit && !limit.kind.limits?.resumes && text) {
        appendMessage(config.home, { from: LIMITS_ADDRESS, to: id, subject: text }).catch((error: unknown) => logger.error(`could not send ${id} its continue: ${(error as Error).message}`));
      }
    }
    schedule();
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
        if (limits.has(agent.id)) answerAfter(agent);
        if (!seen || said.get(agent.id) === seen.said) continue;
        said.set(agent.id, seen.said);
        const until = seen.reset.until ?? now + UNKNOWN_RESET_MS;
        if (seen.reset.until !== null && seen.reset.until + config.router.holdMarginMs <= now) continue;
        const account = accountOf(agent.kind, agent.env);
        const when = seen.reset.until === null ? `no reset time read (${seen.reset.note ?? 'none said'}); looked at again at ${new Date(until).toISOString()}` : `resets at ${new Date(until).toISOString()}${seen.reset.note ? ` (${seen.reset.note})` : ''}`;
        const reason = `usage limit of its ${agent.kind.name} account, seen on ${agent.id}'s screen; ${when}`;
        logger.warn(`${agent.id}: ${reason}: "${seen.said}"`);
        const sharing = agents.filter((other) => other.kind.name === agent.kind.name && accountOf(other.kind, other.env) === account);
        for (const other of sharing) {
          const limit = { until, reason, account, hit: other.id === agent.id || (limits.get(other.id)?.hit ?? false), kind: other.kind };
          limits.set(other.id, limit);
          void hold(other.id, limit);
        }
        answerAfter(agent);
        const names = sharing.map((a) => a.id).join(', ');
        appendMessage(config.home, {
          from: LIMITS_ADDRESS,
          to: 'supervisor',
          subject: `[LIMIT] ${names}: ${agent.kind.name} usage limit until ${new Date(until).toISOString()}`,
          body: `${reason}.\nMessages to ${names} wait until then.`,
        }).catch((error: unknown) => logger.warn(`could not tell the supervisor of ${agent.id}'s usage limit: ${(error as Error).message}`));
      }
      schedule();
    },
    // The agent's limit, while it lasts.
    of(id: string): { until: string } | null {
      const limit = limits.get(id);
      return limit ? { until: new Date(limit.until).toISOString() } : null;
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type LimitWatch = ReturnType<typeof createLimitWatch>;
