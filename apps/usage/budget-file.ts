import * as z from 'zod';
import type { CmuxConfig } from '../core/src/config/index.js';
import { budgetAmount, BUDGET_NAME } from '../core/src/config/schema.js';
import { CmuxError } from '../core/src/errors/index.js';
import { readHomeFile, replaceHomeFile } from '../core/src/fs/index.js';
import { withFileLock } from '../core/src/lock/index.js';
import { homePaths } from '../core/src/paths/index.js';

// $CMUX_HOME/budgets.json: the daily budgets set with `cmux budget set` (through cmux-server,
// its one writer), each over the same name in config's budgets.daily; null takes a configured
// budget away. Config files stay the user's: cmux never rewrites them.
const budgetFileSchema = z.strictObject({
  version: z.literal(1),
  daily: z.record(z.string().regex(BUDGET_NAME), budgetAmount.nullable()),
});

export type BudgetFile = z.infer<typeof budgetFileSchema>;

const budgetFile = (home: string): string => homePaths(home).budgets;

// The file as written; a missing one sets nothing, a broken one is an error naming it (never
// read as empty: the next write would lose every budget set).
export function readBudgetFile(home: string): BudgetFile {
  const file = budgetFile(home);
  const text = readHomeFile(home, file);
  if (text === null) return { version: 1, daily: {} };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `it is not JSON (${(error as Error).message})`);
  }
  const parsed = budgetFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw corrupt(file, `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

// The budgets in force: config's, with the file's over them. A broken file is said through
// `onProblem` and config's alone are used (holds and alerts go on meanwhile).
export function budgetsInForce(config: CmuxConfig, onProblem: (error: Error) => void): Record<string, number> {
  const budgets: Record<string, number> = { ...config.budgets.daily };
  let file: BudgetFile;
  try {
    file = readBudgetFile(config.home);
  } catch (error) {
    onProblem(error as Error);
    return budgets;
  }
  for (const [name, amount] of Object.entries(file.daily)) {
    if (amount === null) delete budgets[name];
    else budgets[name] = amount;
  }
  return budgets;
}

// Sets (or, with null, takes away) the budget of `name`, under the file's cross-process lock.
export async function setBudget(home: string, name: string, amount: number | null): Promise<void> {
  const file = budgetFile(home);
  await withFileLock(home, file, async () => {
    const current = readBudgetFile(home);
    current.daily[name] = amount;
    replaceHomeFile(home, file, `${JSON.stringify(current, null, 2)}\n`);
  });
}

function corrupt(file: string, reason: string): CmuxError {
  return new CmuxError('CMUX_ERR_BUDGETS_CORRUPT', `the budgets file ${file} is not valid: ${reason}; fix or remove it`, { context: { file } });
}
