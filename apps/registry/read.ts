import { lstatSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { CmuxError, isCmuxError } from '../core/src/errors/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { readHomeFile } from '../core/src/fs/index.js';
import { registryFileSchema, type RegistryFile } from './schema.js';

// The copy of the registry as its one writer last wrote it: what reads fall back to, and
// what `cmux registry repair` rebuilds from, when someone breaks agents.yaml by hand.
export function lastGoodFile(file: string): string {
  return homePaths(registryHome(file)).registryLastGood;
}

// The CMUX_HOME a registry file belongs to (agents.yaml lies at its top).
export function registryHome(file: string): string {
  return dirname(file);
}

// Reads agents.yaml (or, with the registry's `home`, its last good copy). A missing file is an
// empty registry (null, so callers can tell); a file that is empty, does not parse, breaks the
// schema or is not a regular file is an error that names the file, the line and the fix, never
// an empty registry.
export async function readRegistry(file: string, home = registryHome(file)): Promise<RegistryFile | null> {
  let text: string | null;
  try {
    text = readHomeFile(home, file);
  } catch (error) {
    // A link, FIFO or folder as the file itself: repair moves it aside. (One in place of a folder
    // above it stays CMUX_ERR_HOME_UNSAFE.)
    if (!isCmuxError(error, 'CMUX_ERR_HOME_UNSAFE') || error.context.path !== file) throw error;
    const link = lstatSync(file).isSymbolicLink() ? ` (to ${readlinkSync(file)})` : '';
    throw corrupt(file, `it is ${String(error.context.kind)}${link}, not a regular file cmux can replace safely`, null);
  }
  return text === null ? null : parseRegistry(file, text);
}

// The last good copy of the registry `file`, or null when there is none or it is not valid.
export async function readLastGood(file: string): Promise<RegistryFile | null> {
  return readRegistry(lastGoodFile(file), registryHome(file)).catch(() => null);
}

// Parses the text of a registry file; `file` is for the error message.
export function parseRegistry(file: string, text: string): RegistryFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const [error] = doc.errors;
  if (error) throw corrupt(file, error.message.split('\n')[0]!.replace(/:$/, ''), error.linePos?.[0].line ?? null);
  const data: unknown = doc.toJS();
  // cmux always writes an `agents:` map: an empty file is a truncated one, not an empty team.
  if (data === null || data === undefined) throw corrupt(file, 'it is empty (cmux always writes an `agents:` map)', null);
  const parsed = registryFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const line = lineOf(doc, lines, issue.path);
    const where = issue.path.join('.') || '(top level)';
    throw corrupt(file, `${line ? `line ${line}, ` : ''}${where}: ${issue.message}`, line);
  }
  return parsed.data;
}

// The line of the deepest part of `path` the document has (a missing key: its entry's line).
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | null {
  for (let depth = path.length; depth > 0; depth -= 1) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return null;
}

function corrupt(file: string, reason: string, line: number | null): CmuxError {
  const fix = `run \`cmux registry repair\` (it rebuilds the entries from ${lastGoodFile(file)} and the live windows, and keeps this file beside it) or fix ${line ? `line ${line}` : 'it'} by hand`;
  return new CmuxError(
    'CMUX_ERR_REGISTRY_CORRUPT',
    `the agent registry ${file} is not valid: ${reason}. No agent can be added or removed until it is fixed: ${fix}`,
    { context: { file, reason, fix, ...(line ? { line } : {}) } },
  );
}

export interface RegistryRead {
  registry: RegistryFile | null;
  // Set when agents.yaml is invalid and the registry is the last good copy.
  warning?: string;
}

// For listings and lookups: agents.yaml, or when it is invalid the last good copy with a
// warning (every lookup still checks the window's own identity, so an older copy is safe).
export async function readRegistryForLookup(file: string): Promise<RegistryRead> {
  try {
    return { registry: await readRegistry(file) };
  } catch (error) {
    if (!isCmuxError(error, 'CMUX_ERR_REGISTRY_CORRUPT')) throw error;
    const copy = lastGoodFile(file);
    const registry = await readLastGood(file);
    if (!registry) throw error;
    const written = lstatSync(copy).mtime.toISOString();
    return { registry, warning: `${error.message}. Listing the last good copy (${copy}, written ${written}) meanwhile` };
  }
}
