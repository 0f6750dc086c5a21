import { join } from 'node:path';
import { promptDigest } from '../../../core/src/agents/index.js';
import type { HookFacts, KindAdapter } from '../adapter.js';
import { kindFolder } from '../folder.js';
import { hookWindowEnv } from '../hooks.js';
import { mcpServerCommand } from '../mcp.js';

// Google's Gemini CLI: its rules (kind.yaml) say the rest; run with the flags the README gives.
// cmux's MCP server and cmux's hooks come in a settings file of cmux's own, read as Gemini's
// system defaults (GEMINI_CLI_SYSTEM_DEFAULTS_PATH: the lowest layer, under the user's own
// settings, which are never written). Gemini fills in the `$VAR`s of a server from the window,
// and hands a server no variable named like a token unless its `env` names it; a hook is run
// by a shell with the window's variables.
export const gemini: KindAdapter = {
  name: 'gemini',
  windowEnv: (root) => {
    const { command, args } = mcpServerCommand(root);
    return { ...hookWindowEnv(root), CMUX_CLI: args[0]!, CMUX_NODE: command, GEMINI_CLI_SYSTEM_DEFAULTS_PATH: join(kindFolder(root, 'gemini'), 'system-defaults.json') };
  },
  hookEvent: (event, payload) => ({
    status: hookStatus(event, payload),
    promptDigest: event === 'BeforeAgent' && typeof payload.prompt === 'string' ? promptDigest(payload.prompt) : undefined,
    tool: typeof payload.tool_name === 'string' ? payload.tool_name.slice(0, 100) : undefined,
  }),
};

// What a Gemini CLI hook event says about the agent's status (0.61.0). AfterAgent ends every
// turn, one cancelled by Escape too.
function hookStatus(event: string, payload: Readonly<Record<string, unknown>>): HookFacts['status'] {
  switch (event) {
    case 'BeforeAgent':
    case 'BeforeTool':
    case 'AfterTool':
      return 'busy';
    case 'Notification':
      return payload.notification_type === 'ToolPermission' ? 'waiting' : null;
    case 'SessionStart':
    case 'AfterAgent':
      return 'idle';
    default:
      return null;
  }
}
