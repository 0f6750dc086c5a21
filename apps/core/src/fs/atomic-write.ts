import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { assertHomePath, withHomeFile, writeAll } from './home-files.js';

// Replaces `file` under CMUX_HOME with `content` so that a reader sees the old file or the new
// one, never half of either, even across a crash: write a temp file beside it, fsync, rename,
// fsync the folder. A link or anything but a regular file in its place (or in a folder's) is
// refused, not silently replaced.
export function replaceHomeFile(home: string, file: string, content: string | Buffer): void {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  assertHomePath(home, file);
  try {
    withHomeFile(home, temp, 'create', (fd) => {
      writeAll(fd, typeof content === 'string' ? Buffer.from(content) : content);
      fsyncSync(fd);
    });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  // O_DIRECTORY: whatever replaced the folder meanwhile, this cannot block.
  const dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
