import { InvalidArgumentError } from 'commander';

// A --timeout value: a whole number of seconds from 1 to a day.
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 86_400) throw new InvalidArgumentError('a whole number of seconds');
  return n;
}
