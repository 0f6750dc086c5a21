import type { CmuxConfig } from '../core/src/config/index.js';
import { hostOf } from '../core/src/mailbox/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { readRegistry, type AgentEntry } from '../registry/index.js';
import { getProject, supervisorOf } from './resolve.js';
import { DEFAULT_PROJECT } from './schema.js';

// The names of the agents registered for a project (an agent without one is the default
// project's); an unknown project is CMUX_ERR_PROJECT_NOT_FOUND.
export async function projectAgentNames(config: CmuxConfig, project: string): Promise<string[]> {
  getProject(config, project);
  const agents = (await readRegistry(homePaths(config.home).registry))?.agents ?? {};
  return Object.values(agents).filter((a) => (a.project ?? DEFAULT_PROJECT) === project).map((a) => a.name);
}

// The supervisor an agent reports to: its project's; in a cluster, an agent spawned by another
// host's agent reports to that agent (w1@a), each host keeping its own supervisor.
export async function supervisorForAgent(config: CmuxConfig, name: string): Promise<string> {
  const agents = (await readRegistry(homePaths(config.home).registry))?.agents ?? {};
  const entry = Object.values(agents).find((a) => a.name === name);
  return entry ? reportsTo(entry) : supervisorOf(DEFAULT_PROJECT);
}

export function reportsTo(agent: Pick<AgentEntry, 'createdBy' | 'project'>): string {
  return hostOf(agent.createdBy) ? agent.createdBy : supervisorOf(agent.project ?? DEFAULT_PROJECT);
}

// The project of the agent a command runs in (its window sets CMUX_AGENT_NAME), so a project's
// supervisor spawns workers and adds tasks for its own project; none outside an agent window.
export async function callerProject(config: CmuxConfig, agentName: string | undefined): Promise<string | undefined> {
  if (!agentName) return undefined;
  const agents = (await readRegistry(homePaths(config.home).registry))?.agents ?? {};
  return Object.values(agents).find((a) => a.name === agentName)?.project;
}
