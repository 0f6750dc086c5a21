import type { AgentKind } from '../core/src/index.js';

// Why `command` of `kind` cannot run here, or null. As root, Claude Code refuses
// --dangerously-skip-permissions unless IS_SANDBOX=1, and its window would close at once.
export function rootProblem(kind: AgentKind, command: string, env: Readonly<Record<string, string>>, uid = process.getuid?.()): string | null {
  if (uid !== 0 || kind.name !== 'claude-code' || !/--dangerously-skip-permissions\b/.test(command)) return null;
  if ((env.IS_SANDBOX ?? process.env.IS_SANDBOX) === '1') return null;
  return (
    'cmux runs as root, and Claude Code refuses --dangerously-skip-permissions as root unless IS_SANDBOX=1. ' +
    "In a container, set `agents.env: {IS_SANDBOX: '1'}` in your CMUX_CONFIG file (or pass `--env IS_SANDBOX=1` to spawn); " +
    'otherwise run cmux as a non-root user.'
  );
}
