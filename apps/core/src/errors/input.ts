import type * as z from 'zod';
import { CmuxError } from './cmux-error.js';

// The CMUX_ERR_BAD_REQUEST for input that does not match its schema: the field the first issue
// is about (`where` when it is about the whole input) and why.
export function badInput(issue: { path: readonly PropertyKey[]; message: string }, where: string): CmuxError {
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : where;
  return new CmuxError('CMUX_ERR_BAD_REQUEST', `${field}: ${issue.message}`, { context: { field } });
}

// Parses input with its zod schema (input that arrives outside the HTTP API, where route
// schemas check it); a mismatch is CMUX_ERR_BAD_REQUEST that says which field and why.
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw badInput(result.error.issues[0]!, where);
}
