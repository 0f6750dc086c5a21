import { join } from 'node:path';
import type { KindAdapter } from '../adapter.js';
import { kindFolder } from '../folder.js';
import { mcpServerCommand } from '../mcp.js';

// Google's Gemini CLI: its rules (kind.yaml) say the rest; run with the flags the README gives.
// cmux's MCP server comes in a settings file of cmux's own, read as Gemini's system defaults
// (GEMINI_CLI_SYSTEM_DEFAULTS_PATH: the lowest layer, under the user's own settings, which are
// never written). Gemini fills in the `$VAR`s from the window, and hands a server no variable
// named like a token unless its `env` names it.
export const gemini: KindAdapter = {
  name: 'gemini',
  windowEnv: (root) => {
    const { command, args } = mcpServerCommand(root);
    return { CMUX_NODE: command, CMUX_CLI: args[0]!, GEMINI_CLI_SYSTEM_DEFAULTS_PATH: join(kindFolder(root, 'gemini'), 'mcp-defaults.json') };
  },
};
