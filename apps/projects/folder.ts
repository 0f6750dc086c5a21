import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { CmuxError } from '../core/src/errors/index.js';

// A project's root as cmux keeps it: an absolute, existing folder this user can read and
// enter, links resolved (so one folder is one project however it is spelled).
export function projectRoot(dir: string): string {
  if (!isAbsolute(dir)) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `root must be an absolute path: ${JSON.stringify(dir)}`);
  let real: string;
  try {
    real = realpathSync(dir);
    if (!statSync(real).isDirectory()) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `${dir} is not a folder`);
    accessSync(real, constants.R_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof CmuxError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by you' : `cannot be used (${code ?? String(error)})`;
    throw new CmuxError('CMUX_ERR_BAD_REQUEST', `the folder ${dir} ${why}`, { context: { root: dir } });
  }
  return real;
}
