import * as z from 'zod';

// A page URL may carry a one-time login code, never the token: a URL stays in the browser's
// history, so the token in one would buy nothing and leak it.
export const frontendSchemas = {
  page: {
    querystring: z.object({
      token: z.never({ error: 'the token does not go in the page URL (it would stay in your history): run `cmux open` for a one-time login URL' }).optional(),
      code: z.string().min(1).max(200).optional(),
    }),
  },
};
