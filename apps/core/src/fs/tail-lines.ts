import { fstatSync, readSync } from 'node:fs';
import { withHomeFile } from './home-files.js';

// The complete lines in the last `maxBytes` of a file under CMUX_HOME, oldest first (a line cut
// by the window is dropped); an empty list when the file does not exist.
export function tailLines(home: string, file: string, maxBytes: number): string[] {
  return (
    withHomeFile(home, file, 'read', (fd) => {
      const size = fstatSync(fd).size;
      const length = Math.min(size, maxBytes);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      const lines = buffer.toString('utf8').split('\n');
      if (length < size) lines.shift();
      if (lines.at(-1) === '') lines.pop();
      return lines;
    }) ?? []
  );
}

// The last `limit` JSON lines of a JSONL log under CMUX_HOME that fit in its last `maxBytes`,
// newest first. A torn last line (a writer died mid-line) is skipped.
export function newestJsonLines<T>(home: string, file: string, limit: number, maxBytes: number): T[] {
  const found: T[] = [];
  for (const line of tailLines(home, file, maxBytes).reverse()) {
    if (found.length >= limit) break;
    try {
      if (line.trim()) found.push(JSON.parse(line) as T);
    } catch {
      // Skipped: see above.
    }
  }
  return found;
}
