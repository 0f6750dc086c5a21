import { promptDigest } from '../../../core/src/agents/index.js';
import type { HookFacts, KindAdapter } from '../adapter.js';
import { hookCommand, hookWindowEnv } from '../hooks.js';
import { MCP_TOOL_TIMEOUT_SECONDS, MCP_VARIABLES, mcpServerCommand } from '../mcp.js';

// A TOML string (a JSON string is one: the same quotes and escapes).
const toml = (value: string) => JSON.stringify(value);

// The Codex hook events cmux listens to (Codex 0.171.0): each runs cmux's hook script.
const HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PermissionRequest', 'Stop', 'Interrupt'] as const;

// OpenAI's Codex CLI: its rules (kind.yaml) say the rest; run with the flags the README gives.
// cmux's MCP server and cmux's hooks are added with `-c` overrides for this session only, never
// written to the user's config.toml. Codex passes an MCP server only a few variables of its own
// unless named in env_vars, and stops a tool call after 60 s unless told otherwise (handoff
// waits longer). Codex runs a hook only once the user has reviewed and trusted it (a hash it
// keeps in config.toml); hooks given for one session cannot be, so the session runs with
// --dangerously-bypass-hook-trust, which also runs the user's own enabled hooks unreviewed.
export const codex: KindAdapter = {
  name: 'codex',
  launchArgs: (_rules, root) => {
    const { command, args } = mcpServerCommand(root);
    const hook = `[{hooks=[{type="command",command=${toml(hookCommand('codex'))}}]}]`;
    return [
      ...[
        ['mcp_servers.cmux.command', toml(command)],
        ['mcp_servers.cmux.args', `[${args.map(toml).join(', ')}]`],
        ['mcp_servers.cmux.env_vars', `[${MCP_VARIABLES.map(toml).join(', ')}]`],
        ['mcp_servers.cmux.tool_timeout_sec', String(MCP_TOOL_TIMEOUT_SECONDS)],
        ...HOOK_EVENTS.map((event) => [`hooks.${event}`, hook]),
      ].flatMap(([key, value]) => ['-c', `${key}=${value}`]),
      '--dangerously-bypass-hook-trust',
    ];
  },
  windowEnv: hookWindowEnv,
  hookEvent: (event, payload) => ({
    status: hookStatus(event),
    promptDigest: event === 'UserPromptSubmit' && typeof payload.prompt === 'string' ? promptDigest(payload.prompt) : undefined,
    tool: typeof payload.tool_name === 'string' ? payload.tool_name.slice(0, 100) : undefined,
  }),
};

// What a Codex hook event says about the agent's status. Codex fires Interrupt when Escape
// stops a turn (no Stop then).
function hookStatus(event: string): HookFacts['status'] {
  switch (event) {
    case 'UserPromptSubmit':
    case 'PreToolUse':
    case 'PostToolUse':
      return 'busy';
    case 'PermissionRequest':
      return 'waiting';
    case 'SessionStart':
    case 'Stop':
    case 'Interrupt':
      return 'idle';
    default:
      return null;
  }
}
