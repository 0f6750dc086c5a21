import { APP_NAMES } from '../core/src/ecosystem/index.js';
import { runApp } from '../core/src/lifecycle/index.js';
import { createLogWatcher } from './watcher.js';

await runApp(APP_NAMES.logWatcher, createLogWatcher);
