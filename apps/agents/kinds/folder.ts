import { join } from 'node:path';

// The folder of a built-in kind, in cmux's folder `root`.
export function kindFolder(root: string, name: string): string {
  return join(root, 'apps', 'agents', 'kinds', name);
}
