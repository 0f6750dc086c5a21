import * as z from 'zod';
import { budgetAmount, BUDGET_NAME } from '../../core/src/config/schema.js';

export const budgetSchemas = {
  set: {
    params: z.object({ name: z.string().max(64).regex(BUDGET_NAME, 'a project name (1-37 letters, digits, _ or -) or all') }),
    // null takes the budget away (config's too, for that name).
    body: z.strictObject({ usdPerDay: budgetAmount.nullable() }),
  },
};
