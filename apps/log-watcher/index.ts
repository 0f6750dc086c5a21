import { APP_NAMES, runApp } from '../core/src/index.js';
import { createLogWatcher } from './watcher.js';

await runApp(APP_NAMES.logWatcher, createLogWatcher);
