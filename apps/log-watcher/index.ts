import { APP_NAMES, createIdleApp, runApp } from '../core/src/index.js';

// TODO(#6): the log watcher scans the logs; until then it only takes part in the lifecycle.
await runApp(APP_NAMES.logWatcher, createIdleApp);
