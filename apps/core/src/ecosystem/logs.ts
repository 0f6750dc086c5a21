import { lstatSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import type { CmuxConfig } from '../config/index.js';
import { CmuxError } from '../errors/index.js';
import { assertHomePath } from '../fs/index.js';
import { homePaths } from '../paths/index.js';
import { ALL_APP_NAMES, appLogFiles, type AppName } from './apps.js';

// The log files of one app, or of all four, that exist; CMUX_ERR_HOME_UNSAFE when one is a link
// or anything but a regular file (`tail -F` would follow it, or hang on a FIFO).
export function logFilesFor(config: CmuxConfig, app?: string): string[] {
  if (app !== undefined && !ALL_APP_NAMES.includes(app as AppName)) {
    throw new CmuxError('CMUX_ERR_USAGE', `unknown app ${JSON.stringify(app)}: use one of ${ALL_APP_NAMES.join(', ')}`);
  }
  const apps = app ? [app as AppName] : ALL_APP_NAMES;
  const files = apps.flatMap((name) => Object.values(appLogFiles(config, name)));
  for (const file of files) assertHomePath(config.home, file);
  return files.filter((file) => lstatSync(file, { throwIfNoEntry: false }));
}

// `tail -F` of the logs (one app's, or all four's) from their last `count` lines on: what
// `cmux logs -f` prints and the dashboard's system view follows. It runs until killed.
export function followAppLogs(config: CmuxConfig, app: string | undefined, count: number): ResultPromise<{ stdin: 'ignore'; stdout: 'pipe'; stderr: 'pipe'; reject: false; buffer: false }> {
  const files = logFilesFor(config, app);
  if (files.length === 0) throw new CmuxError('CMUX_ERR_NOT_RUNNING', `no logs yet in ${homePaths(config.home).logs}: start cmux first`);
  return execa('tail', ['-n', String(count), '-F', ...files], { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', reject: false, buffer: false });
}
