import { APP_NAMES } from '../core/src/ecosystem/index.js';
import { runApp } from '../core/src/lifecycle/index.js';
import { createFrontendHealer } from './healer.js';

await runApp(APP_NAMES.healer, createFrontendHealer);
