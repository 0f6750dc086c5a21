import { APP_NAMES, createIdleApp, runApp } from '../core/src/index.js';

// TODO(#4): the router delivers the mailbox; until then it only takes part in the lifecycle.
await runApp(APP_NAMES.router, createIdleApp);
