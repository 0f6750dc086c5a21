import * as z from 'zod';
import { JOURNAL_DATE } from '../../core/src/journal/index.js';
import { pageLimit } from './common.schema.js';

// Dates are checked against YYYY-MM-DD and file names (in readJournalFile) against what cmux
// writes, so a client never names a path.
const date = z.string().regex(JOURNAL_DATE, 'a date as YYYY-MM-DD');

export const journalSchemas = {
  day: { querystring: z.object({ date: date.optional() }) },
  file: { params: z.object({ date, name: z.string().min(1).max(120) }) },
  add: { body: z.strictObject({ title: z.string().min(1).max(200), content: z.string() }) },
  search: { querystring: z.object({ q: z.string().min(1).max(200), limit: pageLimit(200) }) },
};
