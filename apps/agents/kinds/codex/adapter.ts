import type { KindAdapter } from '../adapter.js';
import { MCP_TOOL_TIMEOUT_SECONDS, MCP_VARIABLES, mcpServerCommand } from '../mcp.js';

// A TOML string (a JSON string is one: the same quotes and escapes).
const toml = (value: string) => JSON.stringify(value);

// OpenAI's Codex CLI: its rules (kind.yaml) say the rest; run with the flags the README gives.
// cmux's MCP server is added with `-c` overrides for this session only, never written to the
// user's config.toml. Codex passes an MCP server only a few variables of its own unless named
// in env_vars, and stops a tool call after 60 s unless told otherwise (handoff waits longer).
export const codex: KindAdapter = {
  name: 'codex',
  launchArgs: (_rules, root) => {
    const { command, args } = mcpServerCommand(root);
    return [
      ['command', toml(command)],
      ['args', `[${args.map(toml).join(', ')}]`],
      ['env_vars', `[${MCP_VARIABLES.map(toml).join(', ')}]`],
      ['tool_timeout_sec', String(MCP_TOOL_TIMEOUT_SECONDS)],
    ].flatMap(([key, value]) => ['-c', `mcp_servers.cmux.${key}=${value}`]);
  },
};
