import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

// The full path of `program` on PATH, or null (what `which` would say).
export function which(program: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = isAbsolute(program) ? [program] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, program));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}
