import { APP_NAMES } from '../core/src/ecosystem/index.js';
import { runApp } from '../core/src/lifecycle/index.js';
import { createServer } from './server.js';

await runApp(APP_NAMES.server, createServer);
