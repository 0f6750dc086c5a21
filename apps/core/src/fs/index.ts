export { writeFileAtomic } from './atomic-write.js';
export { scanLines, type LongLine, type ScannedLine, type ScanResult } from './scan-lines.js';
export { newestJsonLines, tailLines } from './tail-lines.js';
export { appendToHomeFile, createHomeFile, readHomeFile, refuseSymlinks } from './home-files.js';
