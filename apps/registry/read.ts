import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CmuxError, readHomeFile } from '../core/src/index.js';
import { registryFileSchema, type RegistryFile } from './schema.js';

// Reads agents.yaml. A missing file is an empty registry (null, so callers can tell);
// a file that does not parse is an error that names the file, never an empty registry.
export async function readRegistry(file: string): Promise<RegistryFile | null> {
  // Never through a symbolic link: a planted one would make cmux trust another file's agents.
  const text = readHomeFile(dirname(file), file);
  if (text === null) return null;
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (error) {
    throw corrupt(file, error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
  const parsed = registryFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw corrupt(file, `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

function corrupt(file: string, reason: string): CmuxError {
  return new CmuxError('CMUX_ERR_REGISTRY_CORRUPT', `the agent registry ${file} is not valid: ${reason}`, { context: { file } });
}
