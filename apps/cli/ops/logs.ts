import { lstatSync } from 'node:fs';
import { execa } from 'execa';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { ALL_APP_NAMES, appLogFiles, type AppName } from '../../core/src/ecosystem/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { assertHomePath, tailLines } from '../../core/src/fs/index.js';
import { homePaths } from '../../core/src/paths/index.js';
import { relay } from '../output.js';

// How much of a log's end is read to find its last lines.
const TAIL_WINDOW_BYTES = 4 * 1024 * 1024;

export interface LogTail {
  file: string;
  lines: string[];
}

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

// The last `count` lines of each log file.
export function tailLogs(config: CmuxConfig, app: string | undefined, count: number): LogTail[] {
  return logFilesFor(config, app).map((file) => ({ file, lines: tailLines(config.home, file, TAIL_WINDOW_BYTES).slice(-count) }));
}

// Streams the logs as they grow until the person stops it (Ctrl-C). A log line holds what
// programs and agents wrote, so it goes out by the CLI's output rule.
export async function followLogs(config: CmuxConfig, app: string | undefined, count: number): Promise<void> {
  const files = logFilesFor(config, app);
  if (files.length === 0) throw new CmuxError('CMUX_ERR_NOT_RUNNING', `no logs yet in ${homePaths(config.home).logs}: start cmux first`);
  const tail = execa('tail', ['-n', String(count), '-F', ...files], { stdin: 'ignore', stdout: 'pipe', stderr: 'inherit', reject: false, buffer: false });
  await Promise.all([relay(tail.stdout), tail]);
}
