import { closeSync, fstatSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isInside, openHomeFile, openRegularFile, readLineBlocks, type LineBlocks, type LongLine } from '../core/src/fs/index.js';

// Where the watcher stopped in one file.
export interface LogMarker {
  inode: number;
  offset: number;
  long?: LongLine | undefined;
}

// Lines longer than this are kept, shown and matched by their first 4 KiB only: what one line
// costs the patterns is bounded, however long it is.
export const MAX_LINE_BYTES = 4 * 1024;

export interface ReadLog {
  marker: LogMarker;
  // What happened to the file since the last scan.
  event?: 'truncated' | 'rotated' | undefined;
  // The rotated-away copy, read to its end, so that it is not read again as a new file.
  rotated?: { file: string; marker: LogMarker } | undefined;
}

// Streams the new complete lines of `file` since `marker` to `blocks` (in bounded memory,
// whatever the backlog). A file renamed away since the last scan (rotation) is read to its end
// first, from where it was left, so the lines written just before the rotation are not missed;
// a file shorter than the marker (truncation) is read from the start.
export function readLogChanges(home: string, file: string, marker: LogMarker | undefined, blocks: LineBlocks): ReadLog {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch {
    return { marker: marker ?? { inode: 0, offset: 0 } };
  }
  let event: ReadLog['event'];
  let rotated: ReadLog['rotated'];
  let from = marker?.inode === stat.ino ? marker : undefined;
  if (marker && marker.inode !== stat.ino) {
    event = 'rotated';
    const old = findByInode(dirname(file), marker.inode, basename(file));
    if (old) rotated = { file: old, marker: readFrom(home, old, marker, blocks) };
  } else if (marker && stat.size < marker.offset) {
    event = 'truncated';
    from = undefined;
  }
  const next = readFrom(home, file, from ?? { inode: stat.ino, offset: 0 }, blocks);
  return { marker: next, event, rotated };
}

// Opens a log for reading; null when it is gone. A log under CMUX_HOME (cmux's own) is opened
// by CMUX_HOME's rules, without following a link; one elsewhere (a file the person listed in
// logWatcher.files) following links, as named. Either way only a regular file is read, and a
// FIFO cannot hang the watcher.
function openLog(home: string, file: string): number | null {
  return isInside(home, file) ? openHomeFile(home, file, 'read') : openRegularFile(file);
}

function readFrom(home: string, file: string, marker: LogMarker, blocks: LineBlocks): LogMarker {
  const fd = openLog(home, file);
  if (fd === null) return marker;
  try {
    const stat = fstatSync(fd);
    const result = readLineBlocks(fd, { offset: marker.offset, limit: stat.size, maxLineBytes: MAX_LINE_BYTES, long: marker.long }, blocks);
    return { inode: stat.ino, offset: result.offset, ...(result.long ? { long: result.long } : {}) };
  } finally {
    closeSync(fd);
  }
}

// The rotated-away copy of a log: a file in the same folder with the old inode.
function findByInode(dir: string, inode: number, current: string): string | null {
  for (const name of readdirSync(dir)) {
    if (name === current) continue;
    try {
      if (lstatSync(join(dir, name)).ino === inode) return join(dir, name);
    } catch {
      // Gone between listing and stat.
    }
  }
  return null;
}
