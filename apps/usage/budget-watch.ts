import { dirname } from 'node:path';
import * as z from 'zod';
import { raiseAlert } from '../core/src/alerts/index.js';
import type { CmuxConfig } from '../core/src/config/index.js';
import { ensureHomeFolder, readHomeFile, replaceHomeFile } from '../core/src/fs/index.js';
import type { Logger } from '../core/src/log/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { budgetsInForce } from './budget-file.js';
import { budgetState, dueBudgetAlerts, type BudgetState } from './budgets.js';
import type { UsageRow } from './ledger-file.js';

// state/budget-alerts.json (cmux-server's alone): the budget alerts raised today, so that a
// restart does not raise them again.
const sentSchema = z.object({ day: z.string(), sent: z.array(z.string()) });

export interface BudgetWatch {
  // The budgets in force and today's spend against them.
  state(now?: Date): BudgetState;
  // Raises the alerts due (80 %, 100 %), each once per budget per day.
  check(now?: Date): Promise<void>;
}

export function createBudgetWatch(config: CmuxConfig, rows: () => readonly UsageRow[], logger: Logger): BudgetWatch {
  const file = homePaths(config.home).budgetAlerts;
  let said: string | null = null;
  const onProblem = (error: Error) => {
    if (said !== error.message) logger.error(`${error.message}; config's budgets.daily alone is used meanwhile`);
    said = error.message;
  };
  const readSent = (day: string): Set<string> => {
    try {
      const parsed = sentSchema.safeParse(JSON.parse(readHomeFile(config.home, file) ?? 'null'));
      return new Set(parsed.success && parsed.data.day === day ? parsed.data.sent : []);
    } catch {
      return new Set();
    }
  };
  const state = (now = new Date()) => {
    const budgets = budgetsInForce(config, onProblem);
    return budgetState(rows(), config.usage.prices, budgets, now);
  };
  return {
    state,
    async check(now = new Date()) {
      const current = state(now);
      const sent = readSent(current.day);
      const { alerts, keys } = dueBudgetAlerts(current, sent);
      if (keys.length === 0) return;
      // Written before the alerts are raised: an alert lost to a crash beats one raised twice.
      ensureHomeFolder(config.home, dirname(file));
      replaceHomeFile(config.home, file, JSON.stringify({ day: current.day, sent: [...sent, ...keys] }));
      for (const alert of alerts) {
        logger.warn(alert.title);
        await raiseAlert(config, { source: 'budgets', kind: alert.level === 100 ? 'budget-reached' : 'budget-warning', title: alert.title, count: 1, excerpt: alert.excerpt, details: alert.details });
      }
    },
  };
}
