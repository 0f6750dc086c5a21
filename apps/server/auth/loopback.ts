export { isLoopback } from '../../core/src/config/index.js';
