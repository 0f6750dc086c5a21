import type { CmuxConfig } from '../core/src/config/index.js';
import { fileVersion, readHomeFile } from '../core/src/fs/index.js';
import type { Logger } from '../core/src/log/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { parseRegistry } from '../registry/read.js';
import { budgetsInForce } from './budget-file.js';
import { budgetDay, budgetHold, budgetState, type BudgetState } from './budgets.js';
import { readLedger } from './ledger-file.js';

export interface BudgetHolds {
  // Why messages to `agent` (its id) wait now, and until when (epoch ms), or null.
  holdOf(agent: string): { reason: string; until: number } | null;
  // Reads again what changed (the ledger, the budgets, the registry, the day); true when any did.
  refresh(): boolean;
}

// The budgets as the router holds by them, from the files cmux-server writes (the usage ledger,
// budgets.json) and the registry (each agent's project): each read again only once it changed,
// so asking before every delivery costs a few lstat calls.
export function createBudgetHolds(config: CmuxConfig, logger: Logger): BudgetHolds {
  const paths = homePaths(config.home);
  const files = [paths.usageLedger, paths.budgets, paths.registry];
  let seen = '';
  let state: BudgetState | null = null;
  let projects = new Map<string, string | null>();
  let said: string | null = null;
  const say = (problem: string) => {
    if (problem !== said) logger.warn(problem);
    said = problem;
  };

  const readProjects = (): void => {
    try {
      const text = readHomeFile(config.home, paths.registry);
      const registry = text === null ? { agents: {} } : parseRegistry(paths.registry, text);
      projects = new Map(Object.entries(registry.agents).map(([id, entry]) => [id, entry.project ?? null]));
    } catch (error) {
      // A registry being repaired: the projects last read stay.
      say(`budget holds: ${(error as Error).message}`);
    }
  };

  const refresh = (): boolean => {
    const now = new Date();
    const version = `${budgetDay(now).day}|${files.map(fileVersion).join('|')}`;
    if (version === seen) return false;
    seen = version;
    readProjects();
    const { ledger, problem } = readLedger(config.home);
    if (problem) say(`budget holds: the usage ledger could not be read (${problem})`);
    state = budgetState(ledger.rows, config.usage.prices, budgetsInForce(config, (error) => say(error.message)), now);
    return true;
  };

  return {
    refresh,
    holdOf(agent) {
      refresh();
      if (!state || !projects.has(agent)) return null;
      const reason = budgetHold(state, projects.get(agent)!);
      return reason ? { reason, until: Date.parse(state.resetsAt) } : null;
    },
  };
}
