import { APP_NAMES, runApp } from '../core/src/index.js';
import { createRouter } from './router.js';

await runApp(APP_NAMES.router, createRouter);
