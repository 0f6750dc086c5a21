export { APP_NAMES, ALL_APP_NAMES, appEntry, PM2_NAMESPACE, appEnvironment, appLogFiles, buildEcosystem, LOG_WATCHER_NODE_ARGS, type AppName, type EcosystemApp } from './apps.js';
