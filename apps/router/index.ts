import { APP_NAMES } from '../core/src/ecosystem/index.js';
import { runApp } from '../core/src/lifecycle/index.js';
import { createRouter } from './router.js';

await runApp(APP_NAMES.router, createRouter);
