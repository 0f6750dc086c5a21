export { withFileLock } from './file-lock.js';
