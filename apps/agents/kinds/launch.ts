import { join } from 'node:path';
import { shellQuote } from '../../core/src/agents/index.js';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { MissingProgram } from './adapter.js';
import { ADAPTERS, type Kind, type Kinds } from './load.js';

// The shell line a window of `kind` runs: `command` with the words its adapter adds, resuming
// the program's own session when the kind can and `sessionId` is known, and cmux's bin folder
// (in `root`, cmux's folder) first on PATH (tmux gives a new pane its client's PATH whatever
// -e says, so it is set here). tmux hands the line to `sh -c`.
export function launchLine(kind: Kind, command: string, sessionId: string | null, root: string): string {
  const resume = kind.resume && sessionId ? [kind.resume.replace('{sessionId}', shellQuote(sessionId))] : [];
  const words = [...resume, ...kind.adapter.launchArgs(kind, root).map(shellQuote)];
  const pathPrefix = join(root, 'bin');
  return `PATH=${shellQuote(pathPrefix)}:"$PATH"; export PATH; ${[command, ...words].join(' ')}`;
}

export interface ResolvedCommand {
  command: string;
  // Where it came from: the configuration, or the kind whose program it runs.
  source: string;
  // The programs asked before it that are not installed.
  missing: MissingProgram[];
}

// The command agent windows run: the configured one, else the first kind's program that is
// installed (Claude Code when `claude` is on PATH), else the bundled demo agent.
export function resolveAgentCommand(config: CmuxConfig, env: NodeJS.ProcessEnv = process.env): ResolvedCommand {
  if (config.agents.command) return { command: config.agents.command, source: 'config', missing: [] };
  const missing: MissingProgram[] = [];
  for (const adapter of ADAPTERS) {
    const command = adapter.defaultCommand?.(config.root, env);
    if (command) return { command, source: adapter.name, missing };
    if (adapter.missing) missing.push(adapter.missing);
  }
  throw new Error('no agent kind gives a default command: the demo kind always does');
}

// The command a spawn that names a kind (`spawn_worker {kind}`) runs: the kind's `run`, else the
// configured agent command when it is of that kind, else the kind's own program when it is
// installed. It must be read as that kind again, or the agent would be typed into by the rules
// of another.
export function commandForKind(config: CmuxConfig, kinds: Kinds, name: string, env: NodeJS.ProcessEnv = process.env): string {
  const kind = kinds.byName(name);
  if (!kind) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `kind: no agent kind ${JSON.stringify(name)}; the kinds are ${kinds.all.map((k) => k.name).join(', ')}`, { context: { field: 'kind' } });
  }
  const configured = config.agents.command && kinds.forCommand(config.agents.command) === kind ? config.agents.command : null;
  const command = kind.run ?? configured ?? kind.adapter.defaultCommand(config.root, env);
  if (!command) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `kind ${name} has no command here: set agentKinds.${name}.run in your configuration (the command line its workers run)`, { context: { field: 'kind' } });
  }
  const readAs = kinds.forCommand(command).name;
  if (readAs !== name) {
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `agentKinds.${name}.run is read as kind ${readAs}, not ${name}: make it run the ${name} program`, { context: { field: 'kind' } });
  }
  return command;
}
