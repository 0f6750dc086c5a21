import { relative, isAbsolute } from 'node:path';
import type { AgentDeps } from '../agents/index.js';
import { git } from '../agents/worktree/git.js';
import { addProject, setDefaultRoot } from './manage.js';
import { listProjects } from './resolve.js';
import { DEFAULT_PROJECT, type Project } from './schema.js';
import { readProjects } from './store.js';

// What `cmux start` run in `cwd` makes of that folder (its repository's top, when it is in
// one). The checkout itself changes nothing (CONTRACT's `npm start`). Elsewhere, the first
// folder becomes the default project; any other folder is added as a project of its own.
// Returns the project the folder is, or null in the checkout.
export async function projectForStartFolder(deps: AgentDeps, cwd: string): Promise<Project | null> {
  const { config } = deps;
  const inside = relative(config.root, cwd);
  if (inside === '' || !(inside.startsWith('..') || isAbsolute(inside))) return null;
  const top = await git(cwd, ['rev-parse', '--show-toplevel'], { allowFailure: true });
  const folder = top.exitCode === 0 && top.stdout ? top.stdout : cwd;
  const known = listProjects(config).find((p) => p.root === folder);
  if (known) return known;
  if (!readProjects(config.home).projects[DEFAULT_PROJECT]) {
    await setDefaultRoot(deps, folder);
    return listProjects(config)[0]!;
  }
  return addProject(deps, { root: folder });
}
