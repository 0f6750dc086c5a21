import { join } from 'node:path';
import { CMUX_SPAWNER, createAgent, startAgent, type AgentDeps } from '../agents/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { readRegistry, type RegisteredAgent } from '../registry/index.js';
import { listProjects } from './resolve.js';
import { DEFAULT_PROJECT, type Project } from './schema.js';

// Starts a project's supervisor in the project's root and hands it its role; the prompt is
// awaited in the background (a slow agent must not hold up the caller).
export async function startProjectSupervisor(deps: AgentDeps, project: Project): Promise<RegisteredAgent> {
  const agent = await createAgent(deps, { name: project.supervisor, role: 'supervisor', project: project.name, createdBy: CMUX_SPAWNER });
  const role = join(deps.config.root, 'config', 'roles', 'supervisor.md');
  const task =
    `Read your role instructions in ${role} and follow them. You supervise the project ${project.name} in ${project.root}: ` +
    `spawn its workers with \`cmux spawn <name> --project ${project.name}\` and keep its tasks on the board (\`cmux task list --project ${project.name}\`). Then wait for messages.`;
  startAgent(deps, agent, task).catch((error: unknown) => deps.logger.error(`the supervisor of ${project.name} did not start: ${(error as Error).message}`));
  return agent;
}

// Every project but the default (whose supervisor the team keeper keeps) gets its supervisor
// when it has none registered; one that cannot start is logged, the others still start.
export async function ensureProjectSupervisors(deps: AgentDeps): Promise<string[]> {
  const registered = (await readRegistry(homePaths(deps.config.home).registry))?.agents ?? {};
  const started: string[] = [];
  for (const project of listProjects(deps.config)) {
    if (project.name === DEFAULT_PROJECT || registered[project.supervisor]) continue;
    try {
      started.push((await startProjectSupervisor(deps, project)).id);
    } catch (error) {
      deps.logger.error(`could not start the supervisor of ${project.name}: ${(error as Error).message}`);
    }
  }
  return started;
}
