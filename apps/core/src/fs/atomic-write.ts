import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { refuseSymlinks } from './home-files.js';

// Replaces `file` with `content` so that a reader sees the old file or the new one, never half
// of either, even across a crash: write a temp file beside it, fsync, rename, fsync the folder.
// A symbolic link in its place is refused, not silently replaced.
export function writeFileAtomic(file: string, content: string | Buffer, mode = 0o600): void {
  const dir = dirname(file);
  refuseSymlinks(dir, file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
