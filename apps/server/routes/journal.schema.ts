import { z } from 'zod';
import { JOURNAL_DATE } from '../../core/src/index.js';
import { pageLimit } from './common.schema.js';

// Dates are checked against YYYY-MM-DD, so a client never names a path.
export const journalSchemas = {
  day: { querystring: z.object({ date: z.string().regex(JOURNAL_DATE, 'a date as YYYY-MM-DD').optional() }) },
  add: { body: z.strictObject({ title: z.string().min(1).max(200), content: z.string() }) },
  search: { querystring: z.object({ q: z.string().min(1).max(200), limit: pageLimit(200) }) },
};
