import { lstatSync, renameSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { assertAgentName } from '../core/src/agents/index.js';
import { isCmuxError } from '../core/src/errors/index.js';
import { readHomeFile } from '../core/src/fs/index.js';
import { withFileLock } from '../core/src/lock/index.js';
import { homePaths } from '../core/src/paths/index.js';
import type { TmuxWindow } from '../core/src/tmux/index.js';
import { lastGoodFile, readLastGood, readRegistry, registryHome } from './read.js';
import { agentEntrySchema, type AgentEntry, type RegistryFile } from './schema.js';
import { writeRegistry } from './update.js';
import { ownsWindow, type RegistryDeps } from './windows.js';

// Where a restored entry's metadata came from: the last good copy, the valid entries of the
// invalid file, or (with neither) the live window's own tmux identity alone.
export type RestoredFrom = 'last-good' | 'invalid-file' | 'window';

export interface RepairReport {
  file: string;
  // True when agents.yaml was valid already: nothing was changed.
  valid: boolean;
  // Where the invalid file was moved (never deleted).
  movedAside: string | null;
  lastGood: string | null;
  restored: Array<{ id: string; windowId: string | null; from: RestoredFrom }>;
  dropped: Array<{ id: string; reason: string }>;
}

const SUPERVISOR = 'supervisor';

// `cmux registry repair`: rebuilds an invalid (or missing) agents.yaml from the last good copy,
// joined with the live windows' tmux identities (their @cmux-agent tag and server). Where the
// last good copy has no entry, a valid entry of the invalid file is used, and a tagged window
// with neither is registered from what tmux knows. Entries are kept without a window too (they
// may be stopped); only an entry that is invalid and has no window or last good copy is dropped.
// The invalid file is moved aside and the report says what was restored and what was dropped:
// never a silent reset.
export async function repairRegistry(deps: RegistryDeps): Promise<RepairReport> {
  const file = homePaths(deps.config.home).registry;
  return withFileLock(deps.config.home, file, async () => {
    const report: RepairReport = { file, valid: false, movedAside: null, lastGood: null, restored: [], dropped: [] };
    try {
      if (await readRegistry(file)) return { ...report, valid: true };
    } catch (error) {
      if (!isCmuxError(error, 'CMUX_ERR_REGISTRY_CORRUPT')) throw error;
    }
    const lastGood = await readLastGood(file);
    if (lastGood) report.lastGood = lastGoodFile(file);
    const salvaged = salvageEntries(file);
    const windows = (await deps.tmux.listWindows()).filter((w) => w.agentTag !== '');
    const rebuilt: RegistryFile = { agents: {} };
    const ids = new Set([...Object.keys(lastGood?.agents ?? {}), ...salvaged.valid.keys(), ...windows.map((w) => w.agentTag)]);
    // lstat: a dangling symlink is there too, and is moved aside like any invalid file.
    const present = lstatSync(file, { throwIfNoEntry: false }) !== undefined;
    // No file and nothing to restore: leave it missing (an empty team).
    if (!present && ids.size === 0) return report;
    for (const id of ids) {
      const known = lastGood?.agents[id];
      const meta = known ?? salvaged.valid.get(id);
      const window = windows.find((w) => w.agentTag === id && (!meta || ownsWindow(id, meta, w)));
      const entry = meta ?? fromWindow(id, window!);
      if (!entry) {
        report.dropped.push({ id, reason: `window ${window!.windowId} carries an identity that is not a valid agent name` });
        continue;
      }
      rebuilt.agents[id] = window ? { ...entry, session: window.session, window: window.name, windowId: window.windowId, server: window.server } : entry;
      report.restored.push({ id, windowId: window?.windowId ?? null, from: known ? 'last-good' : meta ? 'invalid-file' : 'window' });
    }
    for (const [id, reason] of salvaged.invalid) if (!ids.has(id)) report.dropped.push({ id, reason });
    if (present) {
      report.movedAside = `${file}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, report.movedAside);
    }
    writeRegistry(file, rebuilt, deps.logger);
    return report;
  });
}

// The entries of the invalid file that are valid on their own, and why the others are not.
function salvageEntries(file: string): { valid: Map<string, AgentEntry>; invalid: Map<string, string> } {
  const valid = new Map<string, AgentEntry>();
  const invalid = new Map<string, string>();
  let data: unknown;
  try {
    data = parseYaml(readHomeFile(registryHome(file), file) ?? '');
  } catch {
    return { valid, invalid };
  }
  const agents = (data as { agents?: unknown } | null)?.agents;
  if (!agents || typeof agents !== 'object') return { valid, invalid };
  for (const [id, raw] of Object.entries(agents)) {
    const parsed = agentEntrySchema.safeParse(raw);
    if (parsed.success) valid.set(id, parsed.data);
    else invalid.set(id, `its entry is not valid (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}) and no window carries its identity`);
  }
  return { valid, invalid };
}

// An entry from what tmux knows of a tagged window, or null when the tag is not an agent id.
function fromWindow(id: string, window: TmuxWindow): AgentEntry | null {
  const name = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
  try {
    assertAgentName(name);
  } catch {
    return null;
  }
  return {
    name,
    role: name === SUPERVISOR ? SUPERVISOR : 'worker',
    session: window.session,
    window: window.name,
    windowId: window.windowId,
    server: window.server,
    command: window.paneCommand,
    cwd: '',
    createdAt: new Date().toISOString(),
    createdBy: 'registry repair',
  };
}
