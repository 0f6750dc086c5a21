import { APP_NAMES, runApp } from '../core/src/index.js';
import { createServer } from './server.js';

await runApp(APP_NAMES.server, createServer);
