export { withFileLock, type FileLockOptions } from './file-lock.js';
