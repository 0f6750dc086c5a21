export { APP_NAMES, ALL_APP_NAMES, HUB_APP_NAME, hubFolder, MANAGED_APP_NAMES, appEntry, PM2_NAMESPACE, appEnvironment, appLogFiles, buildEcosystem, hubApp, LOG_WATCHER_NODE_ARGS, type AppName, type EcosystemApp, type ManagedAppName } from './apps.js';
export { followAppLogs, logFilesFor } from './logs.js';
