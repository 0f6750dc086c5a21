import * as z from 'zod';
import { pageLimit } from './common.schema.js';

// The search's text is plain text (no pattern, no path), up to 200 characters once trimmed;
// control characters are refused rather than searched for.
export const MAX_SEARCH_CHARS = 200;

export const searchSchemas = {
  search: {
    querystring: z.object({
      q: z
        .string()
        .trim()
        .min(1, 'the search text is empty')
        .max(MAX_SEARCH_CHARS, `the search text is longer than ${MAX_SEARCH_CHARS} characters`)
        // eslint-disable-next-line no-control-regex
        .refine((q) => !/[\u0000-\u001f\u007f]/.test(q), 'the search text holds control characters'),
      limit: pageLimit(200),
    }),
  },
};
