import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createHomeFile, readHomeFile } from '../core/src/fs/index.js';
import { homePaths } from '../core/src/paths/index.js';

// This CMUX_HOME's own id (state/instance, made once): two machines joined under one host
// name differ in it.
export function instanceId(home: string): string {
  const file = join(homePaths(home).state, 'instance');
  const known = readHomeFile(home, file)?.trim();
  if (known) return known;
  try {
    createHomeFile(home, file, randomUUID());
  } catch {
    // Made by another process at the same moment.
  }
  return readHomeFile(home, file)!.trim();
}
