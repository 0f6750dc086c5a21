import { join } from 'node:path';
import type { CmuxConfig } from '../config/index.js';
import { which } from '../proc/index.js';
import type { AgentKind } from './kinds.js';

export const CLAUDE_COMMAND = 'claude --dangerously-skip-permissions';

export interface ResolvedCommand {
  command: string;
  source: 'config' | 'claude' | 'demo';
}

// The command agent windows run: the configured one, else Claude Code when `claude` is on
// PATH, else the bundled demo agent.
export function resolveAgentCommand(config: CmuxConfig, env: NodeJS.ProcessEnv = process.env): ResolvedCommand {
  if (config.agents.command) return { command: config.agents.command, source: 'config' };
  if (which('claude', env)) return { command: CLAUDE_COMMAND, source: 'claude' };
  return { command: demoAgentCommand(config), source: 'demo' };
}

// The bundled demo agent, run with this node.
export function demoAgentCommand(config: CmuxConfig): string {
  return `${shellQuote(process.execPath)} ${shellQuote(join(config.root, 'dist', 'apps', 'demo-agent', 'index.js'))}`;
}

// The shell line a window runs for `command` of `kind`: `pathPrefix` goes first on PATH (tmux
// gives a new pane its client's PATH whatever -e says, so it is set here), and Claude Code
// also gets cmux's hook settings. tmux hands the line to `sh -c`.
export function launchLine(command: string, kind: AgentKind, pathPrefix: string): string {
  const launch = kind.settingsFile ? `${command} --settings ${shellQuote(kind.settingsFile)}` : command;
  return `PATH=${shellQuote(pathPrefix)}:"$PATH"; export PATH; ${launch}`;
}

// Quotes one word for sh.
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
