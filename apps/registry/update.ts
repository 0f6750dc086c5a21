import { existsSync } from 'node:fs';
import { stringify } from 'yaml';
import { replaceHomeFile } from '../core/src/fs/index.js';
import { withFileLock } from '../core/src/lock/index.js';
import type { Logger } from '../core/src/log/index.js';
import { lastGoodFile, readRegistry, registryHome } from './read.js';
import type { RegistryFile } from './schema.js';

const HEADER = '# cmux agent registry: written by cmux (apps/registry), one entry per agent window.\n';

export interface RegistryUpdate<T> {
  result: T;
}

// Writes agents.yaml and its last good copy (the caller holds the registry lock). The copy
// is a convenience for reads and repairs: failing to write it never fails the update.
export function writeRegistry(file: string, registry: RegistryFile, logger?: Logger): void {
  const text = HEADER + stringify(registry);
  replaceHomeFile(registryHome(file), file, text);
  saveLastGood(file, text, logger);
}

function saveLastGood(file: string, text: string, logger?: Logger): void {
  try {
    replaceHomeFile(registryHome(file), lastGoodFile(file), text);
  } catch (error) {
    logger?.warn(`could not keep a last good copy of the registry at ${lastGoodFile(file)}: ${(error as Error).message}`);
  }
}

// Reads, changes and rewrites agents.yaml under its cross-process lock; the one way anything
// writes the registry. `mutate` changes the registry in place. An invalid agents.yaml stops
// every write with CMUX_ERR_REGISTRY_CORRUPT (naming the file, line and fix): starting over
// from an empty registry would silently drop every other agent.
export async function updateRegistry<T>(
  file: string,
  mutate: (registry: RegistryFile) => Promise<T> | T,
  logger?: Logger,
): Promise<RegistryUpdate<T>> {
  return withFileLock(registryHome(file), file, async () => {
    const registry = (await readRegistry(file)) ?? { agents: {} };
    const before = JSON.stringify(registry);
    const result = await mutate(registry);
    if (JSON.stringify(registry) !== before) writeRegistry(file, registry, logger);
    // A registry from before the last good copy existed gets one on its first update.
    else if (existsSync(file) && !existsSync(lastGoodFile(file))) saveLastGood(file, HEADER + stringify(registry), logger);
    return { result };
  });
}
