import type { z } from 'zod';
import { CmuxError } from '../core/src/index.js';

// Parses a request part with its zod schema; a mismatch is a 400 that says which field and why.
export function parse<T>(schema: z.ZodType<T>, value: unknown, what = 'body'): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : what;
  throw new CmuxError('CMUX_ERR_BAD_REQUEST', `${field}: ${issue.message}`, { context: { field } });
}
