import { readFileSync } from 'node:fs';
import { kindFolder } from './folder.js';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { agentKindSchema, compileKind, type AgentKind, type AgentKindInput, type AgentKindOverride } from '../../core/src/agents/index.js';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { completeAdapter, type CompleteAdapter, type KindAdapter } from './adapter.js';
import { claudeCode } from './claude-code/adapter.js';
import { codex } from './codex/adapter.js';
import { demo } from './demo/adapter.js';
import { gemini } from './gemini/adapter.js';
import { generic } from './generic/adapter.js';

// The built-in kinds, in the order their command patterns are tried (and their programs
// asked to be the default command). Adding a kind: a folder with its kind.yaml and adapter.ts,
// and its adapter here.
export const ADAPTERS: readonly KindAdapter[] = [claudeCode, codex, gemini, demo, generic];
const FALLBACK = generic.name;

// A kind: its rules, compiled, and its adapter.
export type Kind = AgentKind & { adapter: CompleteAdapter };

export interface Kinds {
  all: readonly Kind[];
  // The kind whose command pattern matches `command`; `generic` when none does.
  forCommand(command: string): Kind;
  byName(name: string): Kind | undefined;
}


// Loads every built-in kind's kind.yaml, applies the configuration's `agentKinds` (validated
// field by field when the configuration was loaded) and compiles the result. Kinds of the
// user's own come first, so they win over a built-in kind whose command also matches.
export function loadKinds(config: Pick<CmuxConfig, 'root' | 'agentKinds' | 'files'>): Kinds {
  const builtIn = new Map(ADAPTERS.map((adapter) => [adapter.name, { adapter, input: readKind(kindFolder(config.root, adapter.name)) }]));
  const base = builtIn.get(FALLBACK)!.input;
  const where = config.files.user ?? config.files.defaults;
  const own: Kind[] = [];
  for (const [name, override] of Object.entries(config.agentKinds)) {
    const known = builtIn.get(name);
    if (!known && !override.command) throw configError(`agentKinds.${name}.command`, where, 'a kind of your own needs a command pattern (the program it is for)');
    if (name === FALLBACK && override.command) throw configError(`agentKinds.${name}.command`, where, 'generic is the fallback for every other command: its command stays empty');
    const merged = parseKind(layer(known?.input ?? base, override), ['agentKinds', name], where);
    if (known) known.input = merged;
    else own.push({ ...compileKind(name, merged, dirname(where)), adapter: completeAdapter({ name }) });
  }
  const all = [...own, ...[...builtIn.values()].map(({ adapter, input }) => ({ ...compileKind(adapter.name, input, kindFolder(config.root, adapter.name)), adapter: completeAdapter(adapter) }))];
  const fallback = all.find((k) => k.name === FALLBACK)!;
  return {
    all,
    forCommand: (command) => all.find((k) => k.command?.test(command)) ?? fallback,
    byName: (name) => all.find((k) => k.name === name),
  };
}

// `over`'s fields replace `kind`'s; its `status` replaces one state at a time.
function layer(kind: AgentKindInput, over: AgentKindOverride): unknown {
  return { ...kind, ...over, status: { ...kind.status, ...over.status } };
}

function readKind(folder: string): AgentKindInput {
  const file = join(folder, 'kind.yaml');
  return parseKind(parseYaml(readFileSync(file, 'utf8')), [], file);
}

// `value` as a whole kind; an error names the key (under `prefix`) and the file.
function parseKind(value: unknown, prefix: readonly PropertyKey[], file: string): AgentKindInput {
  const parsed = agentKindSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = [...prefix, ...issue.path, ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [])].map(String).join('.');
  throw configError(key, file, issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message);
}

function configError(key: string, file: string, reason: string): CmuxError {
  return new CmuxError('CMUX_ERR_CONFIG_INVALID', `invalid configuration: ${key} in ${file}: ${reason}`, { context: { key, source: file, reason } });
}
