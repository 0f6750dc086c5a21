export { writeFileAtomic } from './atomic-write.js';
export { lineAt, readLineBlocks, scanLines, type LineBlocks, type LongLine, type ScannedLine, type ScanOptions, type ScanResult } from './scan-lines.js';
export { newestJsonLines, tailLines } from './tail-lines.js';
export { appendToHomeFile, createHomeFile, readHomeFile, refuseSymlinks } from './home-files.js';
