import type { CmuxConfig } from '../core/src/config/index.js';
import { CmuxError } from '../core/src/errors/index.js';
import { DEFAULT_PROJECT, projectNameSchema, type Project } from './schema.js';
import { readProjects } from './store.js';

// The default project's supervisor keeps the contract's name; every other project's is
// `supervisor-<project>`.
export function supervisorOf(project: string): string {
  return project === DEFAULT_PROJECT ? 'supervisor' : `supervisor-${project}`;
}

// Every project, the default first. The default project is the checkout until `cmux start`
// records another folder for it.
export function listProjects(config: CmuxConfig): Project[] {
  const { projects } = readProjects(config.home);
  const fallback = { root: config.root, createdAt: null };
  const entries = Object.entries({ [DEFAULT_PROJECT]: projects[DEFAULT_PROJECT] ?? fallback, ...projects });
  return entries.map(([name, entry]) => ({ name, root: entry.root, branch: 'branch' in entry ? entry.branch : undefined, supervisor: supervisorOf(name), createdAt: entry.createdAt }));
}

// One project by name; CMUX_ERR_PROJECT_NOT_FOUND when there is none.
export function getProject(config: CmuxConfig, name: string): Project {
  const valid = projectNameSchema.safeParse(name);
  if (!valid.success) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `project ${JSON.stringify(name)}: ${valid.error.issues[0]!.message}`);
  const found = listProjects(config).find((p) => p.name === name);
  if (!found) {
    throw new CmuxError('CMUX_ERR_PROJECT_NOT_FOUND', `no project named ${name}: see \`cmux project list\``, { context: { project: name } });
  }
  return found;
}

// The project a spawn works for: the one named, else the default.
export function projectForSpawn(config: CmuxConfig, name: string | undefined): Project {
  return getProject(config, name ?? DEFAULT_PROJECT);
}
