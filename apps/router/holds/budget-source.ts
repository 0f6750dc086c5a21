import type { CmuxConfig } from '../../core/src/config/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { createBudgetHolds } from '../../usage/index.js';
import type { HoldSource } from './index.js';

const LOOK_MS = 1_000;

// The daily budgets (apps/usage/budgets.ts): an agent whose project, or the whole team, spent
// its budget today is held until the next UTC day, or until the budget is raised (budgets.json
// changes) or the day's spend is read lower. Looked at once a second to wake the waits.
export function budgetSource(config: CmuxConfig, logger: Logger): HoldSource {
  const budgets = createBudgetHolds(config, logger);
  return {
    name: 'budget',
    holdOf: (agent) => budgets.holdOf(agent),
    watch(wake) {
      const timer = setInterval(() => {
        if (budgets.refresh()) wake();
      }, LOOK_MS);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
