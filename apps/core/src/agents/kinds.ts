import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CmuxError } from '../errors/index.js';

const patternList = z.array(z.string());
const kindSchema = z.strictObject({
  command: z.string(),
  settingsFile: z.string().optional(),
  confirmByHook: z.boolean().default(false),
  interruptKeys: z.array(z.string().min(1)).min(1),
  clearInputKeys: z.array(z.string().min(1)).default([]),
  resume: z.string().regex(/\{sessionId\}/, 'must hold {sessionId}').optional(),
  submitDelayMs: z.number().int().min(0).max(10_000),
  enterRetries: z.number().int().min(0).max(10),
  statusLines: z.number().int().min(1).max(200),
  status: z.strictObject({ busy: patternList, waiting: patternList, idle: patternList }),
  composer: z.string().optional(),
  keyChoices: z.string().optional(),
  choiceCursor: z.string().optional(),
  startup: z.array(z.strictObject({ when: z.string(), choose: z.string().min(1), requires: z.enum(['acceptApiKey']).optional() })),
});
const fileSchema = z.strictObject({ kinds: z.record(z.string(), kindSchema) });

// One kind of agent program, its patterns compiled.
export interface AgentKind {
  name: string;
  command: RegExp | null;
  settingsFile: string | null;
  // Whether the program's own hooks report each accepted prompt (Claude Code's UserPromptSubmit).
  confirmByHook: boolean;
  interruptKeys: readonly string[];
  // Keys that empty the input box, pressed after an interrupt that left text in it.
  clearInputKeys: readonly string[];
  // Arguments that resume the program's own session ({sessionId} filled in), or null.
  resume: string | null;
  submitDelayMs: number;
  enterRetries: number;
  statusLines: number;
  status: { busy: RegExp[]; waiting: RegExp[]; idle: RegExp[] };
  composer: RegExp | null;
  // A dialog whose choices are typed as keys, e.g. `(y/n)`: group 1 lists them, `/` between.
  keyChoices: RegExp | null;
  // The start of a menu's cursor line (Codex `›`, Gemini `●`); null: an indented `❯`.
  choiceCursor: RegExp | null;
  startup: readonly StartupDialog[];
}

// A dialog the program may show while it starts, and the choice cmux picks in it. `requires`
// names a configuration flag without which cmux refuses to answer (the spawn fails instead).
export interface StartupDialog {
  when: RegExp;
  choose: string;
  requires?: 'acceptApiKey' | undefined;
}

export interface AgentKinds {
  all: readonly AgentKind[];
  // The kind whose command pattern matches `command`; `generic` when none does.
  forCommand(command: string): AgentKind;
}

// Loads config/agent-kinds.yaml and compiles every pattern once. A pattern that does not
// compile is an error naming the kind and the pattern.
export function loadAgentKinds(root: string): AgentKinds {
  const file = join(root, 'config', 'agent-kinds.yaml');
  const parsed = fileSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CmuxError('CMUX_ERR_CONFIG_INVALID', `invalid configuration: ${issue.path.join('.')} in ${file}: ${issue.message}`);
  }
  const compile = (kind: string, pattern: string): RegExp => {
    try {
      return new RegExp(pattern, 'mu');
    } catch (error) {
      throw new CmuxError('CMUX_ERR_CONFIG_INVALID', `invalid configuration: kinds.${kind} pattern ${JSON.stringify(pattern)} in ${file}: ${(error as Error).message}`);
    }
  };
  const all: AgentKind[] = Object.entries(parsed.data.kinds).map(([name, k]) => ({
    name,
    command: k.command ? compile(name, k.command) : null,
    settingsFile: k.settingsFile ? join(root, k.settingsFile) : null,
    confirmByHook: k.confirmByHook,
    interruptKeys: k.interruptKeys,
    clearInputKeys: k.clearInputKeys,
    resume: k.resume ?? null,
    submitDelayMs: k.submitDelayMs,
    enterRetries: k.enterRetries,
    statusLines: k.statusLines,
    status: {
      busy: k.status.busy.map((p) => compile(name, p)),
      waiting: k.status.waiting.map((p) => compile(name, p)),
      idle: k.status.idle.map((p) => compile(name, p)),
    },
    composer: k.composer ? compile(name, k.composer) : null,
    keyChoices: k.keyChoices ? compile(name, k.keyChoices) : null,
    choiceCursor: k.choiceCursor ? compile(name, k.choiceCursor) : null,
    startup: k.startup.map((s) => ({ when: compile(name, s.when), choose: s.choose, requires: s.requires })),
  }));
  const generic = all.find((k) => k.command === null);
  if (!generic) throw new CmuxError('CMUX_ERR_CONFIG_INVALID', `invalid configuration: ${file} needs a kind with an empty command (the fallback)`);
  return {
    all,
    forCommand: (command) => all.find((k) => k.command?.test(command)) ?? generic,
  };
}
