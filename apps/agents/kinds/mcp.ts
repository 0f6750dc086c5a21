import { join } from 'node:path';

// How an agent program starts cmux's MCP server (`cmux mcp`): the node that runs cmux, with
// cmux's own CLI, whatever the agent's PATH holds.
export function mcpServerCommand(root: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [join(root, 'scripts', 'cmux.mjs'), 'mcp'] };
}

// The variables `cmux mcp` needs from the agent's window: who it is and where the server is.
// Programs that pass MCP servers only some of their environment (Codex, Gemini CLI) are told
// to pass these.
export const MCP_VARIABLES = ['CMUX_URL', 'CMUX_AGENT_NAME', 'CMUX_AGENT_TOKEN'] as const;

// The longest a tool call of cmux's may take: handoff waits for the other agent's answer.
export const MCP_TOOL_TIMEOUT_SECONDS = 3_600;
