import { resolve } from 'node:path';
import { KIND_PATTERN_FLAGS, type AgentKindInput } from './kind-schema.js';

// One kind of agent program's rules, its patterns compiled: how cmux reads its screen and
// types into it. The kind's code (launch, hooks, checks) is its adapter in apps/agents/kinds.
export interface AgentKind {
  name: string;
  command: RegExp | null;
  settingsFile: string | null;
  // Whether the program's own hooks report each accepted prompt (Claude Code's UserPromptSubmit).
  confirmByHook: boolean;
  // Whether the status monitor reads the agent's status from its screen at all; false: only
  // from the program's own hook events (a kind whose hooks report every turn).
  statusFromScreen: boolean;
  // The command line a spawn that names this kind runs (`spawn_worker {kind}`), or null.
  run: string | null;
  interruptKeys: readonly string[];
  // Keys that empty the input box, pressed after an interrupt that left text in it.
  clearInputKeys: readonly string[];
  // Arguments that resume the program's own session ({sessionId} filled in), or null.
  resume: string | null;
  submitDelayMs: number;
  enterRetries: number;
  statusLines: number;
  status: { busy: RegExp[]; waiting: RegExp[]; idle: RegExp[] };
  // What the screen shows right above the input when a turn was stopped by an interrupt
  // (Claude Code's "Interrupted", Codex "Conversation interrupted"): such a turn is not done.
  interrupted: RegExp[];
  composer: RegExp | null;
  // What an empty input box shows in it (a placeholder such as Gemini's "Type your message"):
  // the whole text in the box matching it counts as nothing typed.
  composerPlaceholder: RegExp | null;
  // How the program shows a pasted block in its input box (Claude Code `[Pasted text #1 +11
  // lines]`, Gemini `[Pasted Text: 12 lines]`): the text is still there, though not on screen.
  pastedText: RegExp | null;
  // A dialog whose choices are typed as keys, e.g. `(y/n)`: group 1 lists them, `/` between.
  keyChoices: RegExp | null;
  // The start of a menu's cursor line (Claude Code's indented `❯`, Codex `›`, Gemini `●`);
  // null: the program shows no menus.
  choiceCursor: RegExp | null;
  startup: readonly StartupDialog[];
  // What the screen shows once an interrupt stopped a turn for good (nothing comes back into
  // the input box then); null when it shows nothing of the kind.
  turnStopped: RegExp | null;
  // Menus a stray key opens (two Escapes on Claude Code's empty input box open Rewind), and
  // the keys that close them again.
  strayMenus: readonly StrayMenu[];
  // How the program says it hit a usage limit (apps/agents/limits); null: cmux cannot tell.
  limits: KindLimits | null;
}

export interface KindLimits {
  // Patterns of the screen's last lines that say so; a group named `reset` says when it lifts.
  screen: RegExp[];
  // Patterns of a limit the program is waiting out by itself (a retry countdown): shown only
  // while it lasts, so the limit is over once none shows. A group named `reset` as above.
  retrying: RegExp[];
  // Whether it retries by itself once a limit of `screen` lifts (else cmux sends `limits.continue`).
  resumes: boolean;
  // The variables whose values name the account: agents of the kind with the same values share
  // a limit.
  account: readonly string[];
  // Menus the program opens after a limit, and the choice cmux makes in each.
  after: readonly StartupDialog[];
}

export interface StrayMenu {
  when: RegExp;
  close: readonly string[];
}

// A dialog the program may show while it starts, and the choice cmux picks in it. `requires`
// names a configuration flag without which cmux refuses to answer (the spawn fails instead).
export interface StartupDialog {
  when: RegExp;
  choose: string;
  requires?: 'acceptApiKey' | undefined;
}

// Compiles a validated kind once (agentKindSchema checked that every pattern compiles); a
// relative settings file is relative to `folder`, the kind's own.
export function compileKind(name: string, k: AgentKindInput, folder: string): AgentKind {
  const compile = (pattern: string) => new RegExp(pattern, KIND_PATTERN_FLAGS);
  return {
    name,
    command: k.command ? compile(k.command) : null,
    settingsFile: k.settingsFile ? resolve(folder, k.settingsFile) : null,
    confirmByHook: k.confirmByHook,
    statusFromScreen: k.statusFromScreen,
    run: k.run ?? null,
    interruptKeys: k.interruptKeys,
    clearInputKeys: k.clearInputKeys,
    resume: k.resume ?? null,
    submitDelayMs: k.submitDelayMs,
    enterRetries: k.enterRetries,
    statusLines: k.statusLines,
    status: { busy: k.status.busy.map(compile), waiting: k.status.waiting.map(compile), idle: k.status.idle.map(compile) },
    interrupted: k.interrupted.map(compile),
    composer: k.composer ? compile(k.composer) : null,
    composerPlaceholder: k.composerPlaceholder ? compile(k.composerPlaceholder) : null,
    pastedText: k.pastedText ? compile(k.pastedText) : null,
    keyChoices: k.keyChoices ? compile(k.keyChoices) : null,
    choiceCursor: k.choiceCursor ? compile(k.choiceCursor) : null,
    startup: k.startup.map((s) => ({ when: compile(s.when), choose: s.choose, requires: s.requires })),
    turnStopped: k.turnStopped ? compile(k.turnStopped) : null,
    strayMenus: k.strayMenus.map((m) => ({ when: compile(m.when), close: m.close })),
    limits: k.limits
      ? { screen: k.limits.screen.map(compile), retrying: k.limits.retrying.map(compile), resumes: k.limits.resumes, account: k.limits.account, after: k.limits.after.map((a) => ({ when: compile(a.when), choose: a.choose })) }
      : null,
  };
}
