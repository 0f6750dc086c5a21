import { APP_NAMES, runApp } from '../core/src/index.js';
import { createFrontendHealer } from './healer.js';

await runApp(APP_NAMES.healer, createFrontendHealer);
