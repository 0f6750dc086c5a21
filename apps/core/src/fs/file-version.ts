import { lstatSync } from 'node:fs';

// Which version of a file is on disk, to tell cheaply whether it changed since it was read: its
// inode (cmux's files are replaced by a rename), time and size; 'none' when it is not there.
export function fileVersion(path: string): string {
  try {
    const { ino, mtimeMs, size } = lstatSync(path);
    return `${ino}:${mtimeMs}:${size}`;
  } catch {
    return 'none';
  }
}
