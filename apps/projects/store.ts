import { parse as parseYaml, stringify } from 'yaml';
import { CmuxError } from '../core/src/errors/index.js';
import { readHomeFile, replaceHomeFile } from '../core/src/fs/index.js';
import { withFileLock } from '../core/src/lock/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { projectsFileSchema, type ProjectsFile } from './schema.js';

const HEADER = '# cmux projects: written by cmux (apps/projects), one entry per project.\n';

// Where the projects live under CMUX_HOME.
export function projectsFile(home: string): string {
  return homePaths(home).projects;
}

// Reads projects.yaml; a missing file holds no projects, a broken one is an error naming it
// (never read as empty: the next write would lose every project).
export function readProjects(home: string): ProjectsFile {
  const file = projectsFile(home);
  const text = readHomeFile(home, file);
  if (text === null) return { projects: {} };
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (error) {
    throw corrupt(file, error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
  const parsed = projectsFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw corrupt(file, `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

// Reads, changes and rewrites projects.yaml under its cross-process lock (the one writer),
// atomically: a failed `mutate` leaves the file as it was.
export async function updateProjects<T>(home: string, mutate: (file: ProjectsFile) => Promise<T> | T): Promise<T> {
  const file = projectsFile(home);
  return withFileLock(home, file, async () => {
    const current = readProjects(home);
    const before = JSON.stringify(current);
    const result = await mutate(current);
    if (JSON.stringify(current) !== before) replaceHomeFile(home, file, HEADER + stringify(current));
    return result;
  });
}

function corrupt(file: string, reason: string): CmuxError {
  return new CmuxError('CMUX_ERR_PROJECTS_CORRUPT', `the projects file ${file} is not valid: ${reason}; fix or remove it`, { context: { file } });
}
