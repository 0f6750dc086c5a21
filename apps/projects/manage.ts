import { basename } from 'node:path';
import { killAgent, type AgentDeps } from '../agents/index.js';
import { CmuxError } from '../core/src/errors/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { readRegistry } from '../registry/index.js';
import { projectRoot } from './folder.js';
import { getProject } from './resolve.js';
import { DEFAULT_PROJECT, projectNameSchema, type Project } from './schema.js';
import { updateProjects } from './store.js';
import { startProjectSupervisor } from './supervisors.js';

export interface NewProject {
  root: string;
  name?: string | undefined;
  branch?: string | undefined;
}

const BRANCH = /^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/;

// Records a project and, when cmux runs, starts its supervisor; a supervisor that cannot be
// made takes the entry away again, so nothing is left half-added.
export async function addProject(deps: AgentDeps, input: NewProject): Promise<Project> {
  const { config } = deps;
  const root = projectRoot(input.root);
  const name = input.name ?? basename(root).replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[-_]+/, '').slice(0, 37);
  const valid = projectNameSchema.safeParse(name);
  if (!valid.success) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `project name ${JSON.stringify(name)}: ${valid.error.issues[0]!.message}${input.name ? '' : ' (give one with --name)'}`);
  if (input.branch !== undefined && !BRANCH.test(input.branch)) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `branch ${JSON.stringify(input.branch)} is not a valid branch name`);
  await updateProjects(config.home, (file) => {
    if (name === DEFAULT_PROJECT || file.projects[name]) throw new CmuxError('CMUX_ERR_PROJECT_EXISTS', `a project named ${name} exists already: choose another --name`, { context: { project: name } });
    const roots = { [DEFAULT_PROJECT]: { root: config.root }, ...file.projects };
    const same = Object.entries(roots).find(([, p]) => p.root === root);
    if (same) throw new CmuxError('CMUX_ERR_PROJECT_EXISTS', `${root} is the project ${same[0]} already`, { context: { project: same[0] } });
    file.projects[name] = { root, ...(input.branch ? { branch: input.branch } : {}), createdAt: new Date().toISOString() };
  });
  const project = getProject(config, name);
  if (await deps.tmux.hasSession(config.tmux.session)) {
    await startProjectSupervisor(deps, project).catch(async (error: unknown) => {
      await updateProjects(config.home, (file) => void delete file.projects[name]);
      throw error;
    });
  }
  return project;
}

// Makes `root` the default project's folder (what `cmux start` does in a folder of its own).
export async function setDefaultRoot(deps: AgentDeps, dir: string): Promise<void> {
  const root = projectRoot(dir);
  await updateProjects(deps.config.home, (file) => {
    file.projects[DEFAULT_PROJECT] = { root, createdAt: new Date().toISOString() };
  });
}

// Removes a project and its supervisor. Refused while other agents work for it, unless
// `force`, which kills them too. The entry goes last: a removal cut short can be run again.
export async function removeProject(deps: AgentDeps, name: string, force = false): Promise<{ project: Project; killed: string[] }> {
  const project = getProject(deps.config, name);
  if (name === DEFAULT_PROJECT) throw new CmuxError('CMUX_ERR_BAD_REQUEST', 'the default project cannot be removed');
  const agents = Object.entries((await readRegistry(homePaths(deps.config.home).registry))?.agents ?? {}).filter(([, a]) => a.project === name);
  const workers = agents.filter(([id]) => id !== project.supervisor).map(([id]) => id);
  if (workers.length > 0 && !force) {
    throw new CmuxError('CMUX_ERR_PROJECT_BUSY', `the project ${name} has agents: ${workers.join(', ')}; kill them first, or remove it with --force (the API: ?force=true)`, {
      context: { project: name, agents: workers },
    });
  }
  const killed: string[] = [];
  for (const [id] of agents) {
    await killAgent(deps, id, { force: true });
    killed.push(id);
  }
  await updateProjects(deps.config.home, (file) => void delete file.projects[name]);
  return { project, killed };
}
