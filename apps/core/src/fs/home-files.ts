import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, writeSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { CmuxError, isCmuxError } from '../errors/index.js';

// Every open of a file under CMUX_HOME goes through here (#25). A link at the file's own name is
// refused by O_NOFOLLOW, a link or anything else in place of a folder between CMUX_HOME and the
// file by lstat; O_NONBLOCK lets a FIFO or device planted there be opened without hanging the
// caller (O_NOCTTY: nor a terminal become a daemon's), and fstat then refuses anything that is
// not a regular file. CMUX_HOME itself may be a link: the person chose it.
const { O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = constants;
const ACCESS = {
  read: O_RDONLY,
  append: O_RDWR | O_APPEND | O_CREAT,
  create: O_WRONLY | O_CREAT | O_EXCL,
  overwrite: O_WRONLY | O_CREAT | O_TRUNC,
} as const;
export type HomeAccess = keyof typeof ACCESS;

// What a path is, in words, when it is not what cmux expects there.
function kindOf(stat: Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFile()) return 'a file';
  return 'a special file';
}

function unsafe(path: string, kind: string, expected: 'regular file' | 'folder'): CmuxError {
  const why = kind === 'a symbolic link' ? 'cmux follows no link inside CMUX_HOME (one could carry its reads and writes anywhere)' : `cmux uses only real ${expected === 'folder' ? 'folders' : 'regular files'} inside CMUX_HOME (${expected === 'folder' ? 'anything else' : 'a FIFO or device'} could hang or mislead it)`;
  return new CmuxError('CMUX_ERR_HOME_UNSAFE', `${path} is ${kind}, not a ${expected}: ${why}. Move it away (cmux makes a new one when it needs it), then try again`, {
    context: { path, kind },
  });
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

// Whether `path` lies inside `home` (and is not `home` itself).
export function isInside(home: string, path: string): boolean {
  const rel = relative(home, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

// The folders from `home` (excluded) down to `path` (included), in order.
function foldersBetween(home: string, path: string): string[] {
  if (relative(home, path) === '') return [];
  if (!isInside(home, path)) throw new Error(`${path} is not inside ${home}`);
  let folder = home;
  return relative(home, path)
    .split(sep)
    .map((part) => (folder = join(folder, part)));
}

// Checks that every folder from `home` down to `dir` is a real folder. A missing one is made
// (0700) when `create`, else the walk stops there: false. Throws CMUX_ERR_HOME_UNSAFE naming a
// link or anything else in a folder's place.
function walkFolders(home: string, dir: string, create: boolean): boolean {
  if (create) mkdirSync(home, { recursive: true, mode: 0o700 });
  for (const folder of foldersBetween(home, dir)) {
    let stat = lstatOrNull(folder);
    if (!stat) {
      if (!create) return false;
      try {
        mkdirSync(folder, { mode: 0o700 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      // Made by us or by another process meanwhile: either way it must be a folder now.
      stat = lstatSync(folder);
    }
    if (!stat.isDirectory()) throw unsafe(folder, kindOf(stat), 'folder');
  }
  return true;
}

// Throws CMUX_ERR_HOME_UNSAFE when `path`, or a folder between `home` and it, is a link or
// anything but what it should be: folders above, and at `path` a `want` or nothing.
export function assertHomePath(home: string, path: string, want: 'regular file' | 'folder' = 'regular file'): void {
  if (!walkFolders(home, dirname(path), false)) return;
  const stat = lstatOrNull(path);
  if (stat && !(want === 'folder' ? stat.isDirectory() : stat.isFile())) throw unsafe(path, kindOf(stat), want);
}

// Makes `dir` and the folders above it inside `home` (0700) where missing, refusing a link or
// anything else in a folder's place.
export function ensureHomeFolder(home: string, dir: string): void {
  walkFolders(home, dir, true);
}

// Opens `file` under `home` as `access` says and returns the descriptor, or null when reading a
// file that does not exist. Folders missing on the way are made when writing.
export function openHomeFile(home: string, file: string, access: HomeAccess): number | null {
  if (!walkFolders(home, dirname(file), access !== 'read')) return null;
  let fd: number;
  try {
    fd = openSync(file, ACCESS[access] | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && access === 'read') return null;
    // ELOOP (a link), ENXIO (a FIFO nobody reads), EISDIR, EEXIST (create): say what is there.
    const stat = lstatOrNull(file);
    if (stat && !stat.isFile()) throw unsafe(file, kindOf(stat), 'regular file');
    throw error;
  }
  return checkedRegular(fd, file);
}

// Opens a file outside CMUX_HOME that the person named (an extra log to watch): links are
// followed, since the person chose the path, but only a regular file is read, and a FIFO cannot
// hang the reader. Null when it does not exist.
export function openRegularFile(file: string): number | null {
  let fd: number;
  try {
    fd = openSync(file, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return checkedRegular(fd, file);
}

function checkedRegular(fd: number, file: string): number {
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw unsafe(file, kindOf(stat), 'regular file');
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

// Runs `use` on `file` opened as `access` says (see openHomeFile) and closes it; null when
// reading a file that does not exist.
export function withHomeFile<T>(home: string, file: string, access: HomeAccess, use: (fd: number) => T): T | null {
  const fd = openHomeFile(home, file, access);
  if (fd === null) return null;
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

// Writes all of `bytes` at the descriptor's position (a write may take only part).
export function writeAll(fd: number, bytes: Buffer): void {
  for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
}

// The bytes of an open file from `start` to its end (as long as it was when asked), or its
// first `maxBytes` from there.
export function readRest(fd: number, start = 0, maxBytes = Number.POSITIVE_INFINITY): Buffer {
  const size = Math.min(fstatSync(fd).size, start + maxBytes);
  const buffer = Buffer.alloc(Math.max(0, size - start));
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, start + read);
    if (n <= 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
}

// Appends `text` to a file under CMUX_HOME. When the file does not end with a newline (a writer
// died mid-line), a newline goes first, so the torn fragment stays a line of its own and the new
// text starts a line.
export function appendToHomeFile(home: string, file: string, text: string): void {
  withHomeFile(home, file, 'append', (fd) => {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    writeAll(fd, Buffer.from(torn ? `\n${text}` : text));
  });
}

// Creates a new file under CMUX_HOME (EEXIST when a regular file is there already).
export function createHomeFile(home: string, file: string, content: string | Buffer): void {
  withHomeFile(home, file, 'create', (fd) => writeAll(fd, typeof content === 'string' ? Buffer.from(content) : content));
}

// Writes a small file under CMUX_HOME in place (a lock's note of its holder): readers may see it
// half-written, so only for notes whose readers tolerate that.
export function overwriteHomeFile(home: string, file: string, content: string): void {
  withHomeFile(home, file, 'overwrite', (fd) => writeAll(fd, Buffer.from(content)));
}

// Reads a file under CMUX_HOME as UTF-8; null when it does not exist.
export function readHomeFile(home: string, file: string, maxBytes?: number): string | null {
  return withHomeFile(home, file, 'read', (fd) => readRest(fd, 0, maxBytes).toString('utf8'));
}

// Told what a reader left out and why (a link or a FIFO planted in CMUX_HOME): one bad folder
// or file costs itself, not the listing, the search or the scan it is part of.
export type OnSkipped = (problem: string) => void;

// Runs `read`; a CMUX_ERR_HOME_UNSAFE it throws is handed to `onSkipped` and gives `fallback`.
export function skipUnsafe<T>(read: () => T, fallback: T, onSkipped: OnSkipped): T {
  try {
    return read();
  } catch (error) {
    if (!isCmuxError(error, 'CMUX_ERR_HOME_UNSAFE')) throw error;
    onSkipped(error.message);
    return fallback;
  }
}

// An entry of a folder under CMUX_HOME, as lstat sees it (a link is a link, not its target).
export interface HomeEntry {
  name: string;
  path: string;
  stat: Stats;
}

// The entries of a folder under CMUX_HOME, sorted by name; empty when it does not exist. The
// folder and those above it must be real folders; its entries are described, not followed.
export function listHomeFolder(home: string, dir: string): HomeEntry[] {
  if (!walkFolders(home, dir, false)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      const stat = lstatOrNull(path);
      return stat ? [{ name, path, stat }] : [];
    });
}

// The error opening a folder entry as a `want` would give (a link, a FIFO…), or null.
export function entryError(entry: HomeEntry, want: 'regular file' | 'folder'): CmuxError | null {
  const ok = want === 'folder' ? entry.stat.isDirectory() : entry.stat.isFile();
  return ok ? null : unsafe(entry.path, kindOf(entry.stat), want);
}
