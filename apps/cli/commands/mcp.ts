import { Command } from 'commander';
import { runMcpServer } from '../../mcp/index.js';

// `cmux mcp`: the MCP server an agent's program starts (cmux registers it at spawn), speaking
// over stdin/stdout as the agent whose window it runs in.
export const mcpCommand = new Command('mcp')
  .description("serve cmux's tools (send_message, report, handoff, the task board…) to an agent program over MCP on stdio; run by the agent's program, not by hand")
  .action(async () => {
    await runMcpServer(process.env);
  });
