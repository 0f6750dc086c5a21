import { CmuxError } from '../errors/index.js';

export const JOURNAL_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

// A day of the journal as a client named it; never a path until it passed this.
export function assertJournalDate(date: string): void {
  if (!JOURNAL_DATE.test(date)) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `date must be YYYY-MM-DD, got ${JSON.stringify(date.slice(0, 40))}`);
}
