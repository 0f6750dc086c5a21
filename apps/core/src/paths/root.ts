import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// cmux's npm package. Not `cmux`: that name on the registry is someone else's package, which
// `npx cmux` runs wherever this one is not installed. The command stays `cmux` (package.json bin).
export const PACKAGE_NAME = 'cmux-team';

// The repository root: the nearest folder above this module whose package.json is cmux's.
// Works the same from the TypeScript sources and from the compiled dist/ tree.
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === PACKAGE_NAME) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cmux: no cmux package.json above ${start}`);
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
