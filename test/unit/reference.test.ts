import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type * as z from 'zod';
import { createAgentDeps } from '../../apps/agents/index.ts';
import { buildProgram } from '../../apps/cli/program.ts';
import { ENV_OVERRIDES } from '../../apps/core/src/config/load.ts';
import { configInputSchema } from '../../apps/core/src/config/schema.ts';
import { ERROR_CODES } from '../../apps/core/src/errors/codes.ts';
import { createLogger, homePaths, loadConfig, openHistory, REPO_ROOT } from '../../apps/core/src/index.ts';
import { createHookStore } from '../../apps/server/agents/hook-events.ts';
import { createStatusMonitor } from '../../apps/server/agents/status-monitor.ts';
import { buildApp, routesOf } from '../../apps/server/app.ts';
import { wsClientMessage } from '../../apps/server/routes/ws.schema.ts';
import { createHub, WS_EVENTS, WS_REPLIES } from '../../apps/server/ws/hub.ts';

// docs/REFERENCE.md is the complete contract users read: every CLI command and option, API
// route, WebSocket frame, configuration key and file under CMUX_HOME. Each area is read from
// the code itself (the commander program, the Fastify app's routes, the frames' lists and
// schema, the zod config schema, homePaths) and compared both ways with the reference's tables.

const REFERENCE = join(REPO_ROOT, 'docs', 'REFERENCE.md');
const text = readFileSync(REFERENCE, 'utf8');

// The rows of the tables under a `## heading` (or, with `sub`, its `### sub` heading), each
// as its cells with `\|` unescaped. A heading that is not there is an empty list: every item
// of that area is then reported missing.
function tableRows(heading: string, sub?: string): string[][] {
  const section = blockUnder(text, '## ', heading);
  const block = sub === undefined ? section : blockUnder(section, '### ', sub);
  return block
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*:?-+/.test(line))
    .map((line) => line.slice(1, line.trimEnd().endsWith('|') ? line.trimEnd().length - 1 : undefined).split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll('\\|', '|')))
    .filter((cells) => !isHeaderRow(cells));
}

// A table's header row (or a row of prose): no code span in its first cell.
function isHeaderRow(cells: string[]): boolean {
  return !(cells[0] ?? '').includes('`');
}

function blockUnder(source: string, marker: string, heading: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((line) => line === `${marker}${heading}`);
  if (start === -1) return '';
  const level = marker.length - 1;
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(' ') <= level);
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

function codeSpans(cell: string | undefined): string[] {
  return [...(cell ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

// What the code has and the reference lacks, and the reverse, each named with its kind.
function disagreements(kind: string, inCode: Iterable<string>, inDoc: Iterable<string>): string[] {
  const code = new Set(inCode);
  const doc = new Set(inDoc);
  return [
    ...[...code].filter((item) => !doc.has(item)).map((item) => `missing from docs/REFERENCE.md: ${kind} ${item}`),
    ...[...doc].filter((item) => !code.has(item)).map((item) => `in docs/REFERENCE.md but not in the code: ${kind} ${item}`),
  ];
}

function assertAgree(problems: string[]): void {
  assert.equal(problems.length, 0, `docs/REFERENCE.md and the code disagree:\n  ${problems.join('\n  ')}`);
}

describe('docs/REFERENCE.md lists exactly what the code has (issue 26)', () => {
  it('CLI: every command (with its arguments and aliases) and every option', async () => {
    const program = await buildProgram();
    const commands = new Map<string, string>();
    const options: string[] = [];
    const walk = (command: Command, path: string[]) => {
      const names = path.length === 0 ? ['cmux'] : [command.name(), ...command.aliases()].map((name) => ['cmux', ...path.slice(0, -1), name].join(' '));
      const args = command.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`)).join(' ');
      for (const name of names) {
        commands.set(name, args);
        for (const option of command.options) options.push(`${name} ${option.flags}`);
      }
      for (const sub of command.commands) walk(sub, [...path, sub.name()]);
    };
    walk(program, []);

    const docCommands = new Map<string, string>();
    const docOptions: string[] = [];
    for (const cells of tableRows('CLI')) {
      for (const usage of codeSpans(cells[0])) {
        const words = usage.split(' ');
        const at = words.findIndex((w) => /^[<[]/.test(w));
        const name = (at === -1 ? words : words.slice(0, at)).join(' ');
        docCommands.set(name, at === -1 ? '' : words.slice(at).join(' '));
        for (const flags of codeSpans(cells[1])) docOptions.push(`${name} ${flags}`);
      }
    }
    const undescribed = tableRows('CLI').filter((cells) => !cells[2]).map((cells) => `CLI command ${cells[0]} has no description`);
    assertAgree([
      ...undescribed,
      ...disagreements('CLI command', [...commands].map(([name, args]) => `${name}${args ? ` ${args}` : ''}`), [...docCommands].map(([name, args]) => `${name}${args ? ` ${args}` : ''}`)),
      ...disagreements('CLI option', options, docOptions),
    ]);
  });

  describe('HTTP API', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cx-reference-'));
    const config = loadConfig({ env: { CMUX_HOME: join(dir, 'home'), CMUX_TMUX_SOCKET: join(dir, 'tmux.sock') }, cwd: dir });
    const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
    const history = openHistory(config.home);
    let routes: readonly string[] = [];
    before(async () => {
      // The app the server builds, over a home of its own; no tmux server runs: nothing is called.
      const agents = createAgentDeps(config, quiet);
      const hooks = createHookStore();
      const hub = createHub();
      const app = await buildApp({ config, token: 'reference-token-0123456789', logger: quiet, agents, hooks, hub, history, monitor: createStatusMonitor(agents, hooks, hub, quiet) });
      routes = routesOf(app);
      await app.close();
    });
    after(() => {
      history.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('every route, by method and path', () => {
      assert.ok(routes.length > 0, 'the app registered no routes');
      assertAgree(disagreements('API route', routes, tableRows('HTTP API').flatMap((cells) => codeSpans(cells[0]))));
    });

    it('says for every route what it takes and answers, with its status codes', () => {
      const rows = tableRows('HTTP API');
      assert.ok(rows.length > 0, 'no HTTP API table');
      assertAgree(rows.filter((cells) => !cells[1] || !/\b[1-5]\d\d\b/.test(cells[2] ?? '')).map((cells) => `API route ${cells[0]} lacks what it takes or its status codes`));
    });

    it('names only error codes that exist', () => {
      const named = tableRows('HTTP API').flatMap((cells) => cells.slice(1).join(' ').match(/CMUX_ERR_[A-Z_]+/g) ?? []);
      assert.ok(named.length > 0, 'the API table names no error codes');
      assertAgree(disagreements('error code', [], named.filter((code) => !(code in ERROR_CODES))));
    });
  });

  it('WebSocket: every frame a client sends and every frame the server sends', () => {
    assertAgree([
      ...disagreements('WebSocket client frame', Object.keys(wsClientMessage.shape), tableRows('WebSocket', 'Client to server').flatMap((cells) => codeSpans(cells[0]))),
      ...disagreements('WebSocket server frame', [...Object.values(WS_EVENTS), ...Object.values(WS_REPLIES)], tableRows('WebSocket', 'Server to client').flatMap((cells) => codeSpans(cells[0]))),
    ]);
  });

  it('configuration: every key, the variable that sets it, and the default config/cmux.yaml gives it', () => {
    const keys = configKeys(configInputSchema, []);
    const rows = tableRows('Configuration').map((cells) => ({ key: codeSpans(cells[0])[0] ?? '', cells }));
    const placeholder = (key: string) => key.replace(/<[^>]+>/g, '*');
    const problems = disagreements('config key', keys.map((k) => k.join('.')), rows.map((r) => placeholder(r.key)));

    const variables = new Map(ENV_OVERRIDES.map((o) => [o.path.join('.'), o.variable]));
    const docVariables = rows.flatMap((r) => codeSpans(r.cells[3]).filter((v) => /^[A-Z_]+$/.test(v)).map((v) => `${v} → ${placeholder(r.key)}`));
    problems.push(...disagreements('environment variable', [...variables].map(([key, variable]) => `${variable} → ${key}`), docVariables));

    // The type column says what the schema takes: a boolean, a number, a list, a map, the
    // choices of an enum, and whether null is allowed.
    const types = new Map(keys.map((k) => [k.join('.'), typeOf(configInputSchema, k)]));
    for (const { key, cells } of rows) {
      const type = types.get(placeholder(key));
      if (!type) continue;
      const cell = cells[1] ?? '';
      const says = type.kind === 'enum' ? type.options.every((o) => codeSpans(cell).includes(o)) : TYPE_WORDS[type.kind]?.test(cell) ?? cell !== '';
      if (!says || (type.nullable && !/\bnull\b/.test(cell))) problems.push(`docs/REFERENCE.md gives ${key} the type "${cell}", the schema takes ${type.nullable ? 'null or ' : ''}${type.kind === 'enum' ? type.options.join(' / ') : type.kind}`);
    }

    // A default written as one code span is the value config/cmux.yaml holds (text is a note).
    const defaults = parseYaml(readFileSync(join(REPO_ROOT, 'config', 'cmux.yaml'), 'utf8')) as Record<string, unknown>;
    for (const { key, cells } of rows) {
      const spans = codeSpans(cells[2]);
      if (spans.length !== 1 || cells[2] !== `\`${spans[0]}\``) continue;
      const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], defaults);
      if (value === undefined) continue;
      const written = typeof value === 'string' ? value : JSON.stringify(value);
      if (written !== spans[0]) problems.push(`docs/REFERENCE.md says the default of ${key} is ${spans[0]}, config/cmux.yaml has ${written}`);
    }
    assertAgree(problems);
  });

  it('CMUX_HOME: every file and folder cmux keeps there', () => {
    const home = join(tmpdir(), 'cx-reference-home');
    const config = loadConfig({ env: { CMUX_HOME: home }, cwd: tmpdir() });
    const inCode = [...Object.values(homePaths(home)), config.worktrees.dir].map((path) => relative(home, path)).filter((path) => path !== '');
    const inDoc = tableRows('Files under CMUX_HOME').flatMap((cells) => codeSpans(cells[0]));
    // A folder's row names what is in it: `journal/YYYY-MM-DD/journal.md` stands for `journal`.
    const folderOf = (entry: string) => entry.split('/').findIndex((part) => /[<>]|YYYY/.test(part));
    const documented = (path: string) => inDoc.some((entry) => entry === path || (entry.startsWith(`${path}/`) && folderOf(entry) === path.split('/').length));
    const backed = (entry: string) => inCode.some((path) => entry === path || (entry.startsWith(`${path}/`) && folderOf(entry) === path.split('/').length));
    const folders = inCode.filter((path) => inCode.some((other) => other.startsWith(`${path}/`)));
    const incomplete = tableRows('Files under CMUX_HOME').filter((cells) => cells.slice(1, 4).some((cell) => !cell)).map((cells) => `CMUX_HOME file ${cells[0]} lacks its format, writer or content`);
    assertAgree([
      ...incomplete,
      ...inCode.filter((path) => !folders.includes(path) && !documented(path)).map((path) => `missing from docs/REFERENCE.md: CMUX_HOME file ${path}`),
      ...inDoc.filter((entry) => !backed(entry)).map((entry) => `in docs/REFERENCE.md but not in the code: CMUX_HOME file ${entry}`),
    ]);
  });
});

// Every key path of the config schema: objects are walked, a record whose values are objects
// is walked under `*` (a name of yours), anything else is one key.
function configKeys(schema: z.ZodType, path: string[]): string[][] {
  const { def } = unwrapped(schema);
  if (def.type === 'object') return Object.entries(def.shape!).flatMap(([key, child]) => configKeys(child, [...path, key]));
  if (def.type === 'record' && unwrapped(def.valueType!).def.type === 'object') return configKeys(def.valueType!, [...path, '*']);
  return [path];
}

// How the type column names each kind of value; any words do for a string (a path, a pattern).
const TYPE_WORDS: Record<string, RegExp> = {
  boolean: /\bboolean\b/,
  number: /\b(integer|number|seconds|milliseconds|percent)\b/,
  array: /\blist\b/,
  record: /\bmap\b/,
};

// The kind of value the schema takes at `path` (record keys as `*`), and whether it may be null.
function typeOf(schema: z.ZodType, path: string[]): { kind: string; options: string[]; nullable: boolean } {
  let node = unwrapped(schema);
  for (const key of path) node = unwrapped(node.def.type === 'record' ? node.def.valueType! : node.def.shape![key]!);
  const { def, nullable } = node;
  return { kind: def.type, options: def.type === 'enum' ? Object.values(def.entries!) : [], nullable };
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  entries?: Record<string, string>;
}

// A schema's definition under its optional, default and nullable wrappers.
function unwrapped(schema: z.ZodType): { def: SchemaDef; nullable: boolean } {
  let def = schema.def as SchemaDef;
  let nullable = false;
  while (['optional', 'nullable', 'default', 'prefault'].includes(def.type)) {
    nullable ||= def.type === 'nullable';
    def = def.innerType!.def as SchemaDef;
  }
  return { def, nullable };
}
