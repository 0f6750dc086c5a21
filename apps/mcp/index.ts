import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CmuxError } from '../core/src/errors/index.js';
import { requestAsAgent, type AgentCredentials } from '../core/src/server-client/index.js';
import { cmuxMcpServer, type Me } from './tools.js';

export { cmuxMcpServer, type Me } from './tools.js';

// The agent `cmux mcp` speaks for: the window's CMUX_AGENT_NAME with the token cmux gave that
// window (CMUX_AGENT_TOKEN), and the server in CMUX_URL.
export function agentCredentials(env: NodeJS.ProcessEnv): AgentCredentials {
  const { CMUX_URL: url, CMUX_AGENT_NAME: name, CMUX_AGENT_TOKEN: token } = env;
  if (!url || !name || !token) {
    const missing = [!url && 'CMUX_URL', !name && 'CMUX_AGENT_NAME', !token && 'CMUX_AGENT_TOKEN'].filter(Boolean).join(', ');
    throw new CmuxError('CMUX_ERR_USAGE', `cmux mcp runs for an agent cmux started: ${missing} not set (the agent's program must pass its environment on to its MCP servers)`);
  }
  return { url, name, token };
}

// Serves cmux's tools over stdio until the client closes it. Who the agent is (and so which
// tools it gets) is asked of the server once, at start.
export async function runMcpServer(env: NodeJS.ProcessEnv): Promise<void> {
  const credentials = agentCredentials(env);
  const me = await requestAsAgent<Me>(credentials, 'GET', '/api/me');
  const server = cmuxMcpServer(credentials, me);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  await new Promise<void>((resolve) => {
    transport.onclose = resolve;
    process.stdin.once('end', resolve);
  });
}
