export { replaceHomeFile } from './atomic-write.js';
export { fileVersion } from './file-version.js';
export { lineAt, readLineBlocks, scanLines, type LineBlocks, type LongLine, type ScannedLine, type ScanOptions, type ScanResult } from './scan-lines.js';
export { newestJsonLines, tailLines } from './tail-lines.js';
export {
  appendToHomeFile,
  assertHomePath,
  createHomeFile,
  ensureHomeFolder,
  entryError,
  isInside,
  listHomeFolder,
  openHomeFile,
  openRegularFile,
  overwriteHomeFile,
  readHomeFile,
  readRest,
  skipUnsafe,
  withHomeFile,
  type HomeAccess,
  type HomeEntry,
  type OnSkipped,
} from './home-files.js';
