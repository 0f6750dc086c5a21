import type { CmuxConfig } from '../../core/src/config/index.js';
import { followAppLogs, logFilesFor } from '../../core/src/ecosystem/index.js';
import { tailLines } from '../../core/src/fs/index.js';
import { relay } from '../output.js';

// How much of a log's end is read to find its last lines.
const TAIL_WINDOW_BYTES = 4 * 1024 * 1024;

export interface LogTail {
  file: string;
  lines: string[];
}

// The last `count` lines of each log file.
export function tailLogs(config: CmuxConfig, app: string | undefined, count: number): LogTail[] {
  return logFilesFor(config, app).map((file) => ({ file, lines: tailLines(config.home, file, TAIL_WINDOW_BYTES).slice(-count) }));
}

// Streams the logs as they grow until the person stops it (Ctrl-C). A log line holds what
// programs and agents wrote, so it goes out by the CLI's output rule.
export async function followLogs(config: CmuxConfig, app: string | undefined, count: number): Promise<void> {
  const tail = followAppLogs(config, app, count);
  tail.stderr.pipe(process.stderr);
  await Promise.all([relay(tail.stdout), tail]);
}
