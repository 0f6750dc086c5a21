import * as z from 'zod';
import { parseSince, SINCE_HELP } from '../../usage/index.js';

export const usageSchemas = {
  report: {
    querystring: z.object({
      by: z.enum(['agent', 'project', 'day', 'model']).default('agent'),
      since: z
        .string()
        .max(40)
        .optional()
        .transform((text, ctx) => {
          if (text === undefined) return null;
          const since = parseSince(text);
          if (!since) ctx.addIssue({ code: 'custom', message: `since: ${SINCE_HELP}` });
          return since;
        }),
    }),
  },
};
