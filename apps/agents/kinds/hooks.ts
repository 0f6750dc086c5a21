import { join } from 'node:path';

// The shell command a program's hook runs to tell cmux of one of its events: cmux's hook script
// (scripts/agent-hook.mjs), run by the node that runs cmux, naming the kind whose adapter reads
// the event. A window whose CMUX_HOOK is emptied runs nothing (hooks silenced), and the hook
// never fails: the program goes on whatever cmux answers.
export function hookCommand(kind: string): string {
  return `[ -n "$CMUX_HOOK" ] && "\${CMUX_NODE:-node}" "$CMUX_HOOK" ${kind} || true`;
}

// What a window needs for `hookCommand`: where the script is, and the node to run it with.
export function hookWindowEnv(root: string): Record<string, string> {
  return { CMUX_HOOK: join(root, 'scripts', 'agent-hook.mjs'), CMUX_NODE: process.execPath };
}
