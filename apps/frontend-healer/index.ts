import { APP_NAMES, createIdleApp, runApp } from '../core/src/index.js';

// TODO(#5): the healer checks and rebuilds the dashboard; until then it only takes part in the lifecycle.
await runApp(APP_NAMES.healer, createIdleApp);
