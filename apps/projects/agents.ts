import { homePaths, type CmuxConfig } from '../core/src/index.js';
import { readRegistry } from '../registry/index.js';
import { getProject, supervisorOf } from './resolve.js';
import { DEFAULT_PROJECT } from './schema.js';

// The names of the agents registered for a project (an agent without one is the default
// project's); an unknown project is CMUX_ERR_PROJECT_NOT_FOUND.
export async function projectAgentNames(config: CmuxConfig, project: string): Promise<string[]> {
  getProject(config, project);
  const agents = (await readRegistry(homePaths(config.home).registry))?.agents ?? {};
  return Object.values(agents).filter((a) => (a.project ?? DEFAULT_PROJECT) === project).map((a) => a.name);
}

// The supervisor an agent reports to: its project's.
export async function supervisorForAgent(config: CmuxConfig, name: string): Promise<string> {
  const agents = (await readRegistry(homePaths(config.home).registry))?.agents ?? {};
  const entry = Object.values(agents).find((a) => a.name === name);
  return supervisorOf(entry?.project ?? DEFAULT_PROJECT);
}
