import { InvalidArgumentError } from 'commander';

// A task id argument: a whole number from 1.
export function parseTaskId(value: string): number {
  if (!/^\d{1,15}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('a task id is a whole number from 1');
  return Number(value);
}
