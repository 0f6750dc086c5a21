import { existsSync, renameSync } from 'node:fs';
import { stringify } from 'yaml';
import { isCmuxError, withFileLock, writeFileAtomic, type Logger } from '../core/src/index.js';
import { readRegistry } from './read.js';
import type { RegistryFile } from './schema.js';

const HEADER = '# cmux agent registry: written by cmux (apps/registry), one entry per agent window.\n';

export interface RegistryUpdate<T> {
  result: T;
  // Where a corrupt registry was moved before this update started from an empty one.
  setAside?: string;
}

// Reads, changes and rewrites agents.yaml under its cross-process lock; the one way anything
// writes the registry. `mutate` changes the registry in place (and may create or kill tmux
// windows while the lock is held, so a window and its entry appear together). A corrupt
// file is never emptied in place: it is renamed aside and reported, and the update goes on.
export async function updateRegistry<T>(
  file: string,
  mutate: (registry: RegistryFile) => Promise<T> | T,
  logger?: Logger,
): Promise<RegistryUpdate<T>> {
  return withFileLock(file, async () => {
    let registry: RegistryFile;
    let setAside: string | undefined;
    try {
      registry = (await readRegistry(file)) ?? { agents: {} };
    } catch (error) {
      if (!isCmuxError(error, 'CMUX_ERR_REGISTRY_CORRUPT') || !existsSync(file)) throw error;
      setAside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, setAside);
      logger?.error(`${error.message}; moved it to ${setAside} and started a new registry`, { setAside });
      registry = { agents: {} };
    }
    const before = JSON.stringify(registry);
    const result = await mutate(registry);
    if (JSON.stringify(registry) !== before || setAside) writeFileAtomic(file, HEADER + stringify(registry));
    return setAside ? { result, setAside } : { result };
  });
}
