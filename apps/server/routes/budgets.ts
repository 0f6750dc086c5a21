import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { getProject } from '../../projects/index.js';
import { ALL_BUDGET, setBudget, type BudgetWatch } from '../../usage/index.js';
import { budgetSchemas as schema } from './budgets.schema.js';

// The daily budgets with today's spend (apps/usage/budgets.ts), and setting one: the server is
// the one writer of $CMUX_HOME/budgets.json.
export const budgetRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig; budgets: BudgetWatch }> = async (app, { config, budgets }) => {
  app.get('/api/budgets', async () => budgets.state());
  app.put('/api/budgets/:name', { schema: schema.set }, async (request) => {
    const { name } = request.params;
    if (name !== ALL_BUDGET) getProject(config, name);
    await setBudget(config.home, name, request.body.usdPerDay);
    // A budget lowered under today's spend is alerted on now, not at the next read.
    await budgets.check();
    return budgets.state();
  });
};
