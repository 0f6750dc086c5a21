import { Command } from 'commander';
import { observeAgents, type AgentView } from '../../agents/index.js';
import { getFromServer } from '../../core/src/server-client/index.js';
import { agentContext } from '../agent-context.js';
import { printJson, say, warn } from '../output.js';

type Listed = AgentView & { attention?: { event: string } | null; limitedUntil?: string };

export const agentsCommand = new Command('agents')
  .description('list the registered agents with their status')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const { config, deps } = agentContext();
    // The running server's answer includes hook-reported status; without a server, read tmux.
    // Only the server knows who needs attention (it watches the changes); a direct read does not.
    const agents: Listed[] = (await getFromServer<Listed[]>(config, '/api/agents', 5_000)) ?? (await readDirect());
    async function readDirect(): Promise<AgentView[]> {
      const listing = await observeAgents(deps);
      if (listing.warning) warn(`cmux: warning: ${listing.warning}`);
      return listing.agents;
    }
    if (opts.json) return printJson(agents);
    if (agents.length === 0) return say('no agents');
    for (const a of agents) {
      const marks = [a.attention ? `! needs you: ${a.attention.event}` : '', a.limitedUntil ? `until ${a.limitedUntil}` : '', a.worktree ? `[${a.worktree.branch}]` : ''];
      say(`${a.id.padEnd(24)} ${a.status.padEnd(11)} ${a.role.padEnd(11)} ${a.windowId.padEnd(5)} ${a.kind.padEnd(12)} ${marks.filter(Boolean).join(' ')}`.trimEnd());
    }
  });
