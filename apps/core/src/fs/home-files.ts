import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { CmuxError } from '../errors/index.js';

const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;

function symlinkError(path: string): CmuxError {
  return new CmuxError('CMUX_ERR_HOME_UNSAFE', `${path} is a symbolic link: cmux does not follow links inside CMUX_HOME (one could send its writes anywhere); remove it and start again`, {
    context: { path },
  });
}

// Throws CMUX_ERR_HOME_UNSAFE when `file`, or a folder between `home` and it, is a symbolic link
// (a link planted there would carry cmux's writes out of CMUX_HOME). CMUX_HOME itself may be
// a link: the person chose it.
export function refuseSymlinks(home: string, file: string): void {
  const rel = relative(home, file);
  const parts = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? [] : rel.split(sep);
  let path = home;
  for (const part of parts) {
    path = join(path, part);
    try {
      if (lstatSync(path).isSymbolicLink()) throw symlinkError(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
  }
}

function openInHome(home: string, file: string, flags: number): number {
  // Checked before the folders are made, so none is made through a link.
  refuseSymlinks(home, file);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    return openSync(file, flags, 0o600);
  } catch (error) {
    // A link that appeared after the check: O_NOFOLLOW refused it.
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkError(file);
    throw error;
  }
}

// Appends `text` to a file under CMUX_HOME, never through a symbolic link. When the file does
// not end with a newline (a writer died mid-line), a newline goes first, so the torn fragment
// stays a line of its own and the new text starts a line.
export function appendToHomeFile(home: string, file: string, text: string): void {
  const fd = openInHome(home, file, APPEND_FLAGS);
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    writeAll(fd, Buffer.from(torn ? `\n${text}` : text));
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
}

// Creates a new file under CMUX_HOME (it must not exist), never through a symbolic link.
export function createHomeFile(home: string, file: string, content: string | Buffer): void {
  const fd = openInHome(home, file, CREATE_FLAGS);
  try {
    writeAll(fd, typeof content === 'string' ? Buffer.from(content) : content);
  } finally {
    closeSync(fd);
  }
}

// Reads a file under CMUX_HOME without following a symbolic link; null when it does not exist.
export function readHomeFile(home: string, file: string): string | null {
  refuseSymlinks(home, file);
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw symlinkError(file);
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n <= 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
