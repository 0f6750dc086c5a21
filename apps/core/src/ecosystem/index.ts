export { APP_NAMES, ALL_APP_NAMES, PM2_NAMESPACE, appEnvironment, appLogFiles, buildEcosystem, type AppName, type EcosystemApp } from './apps.js';
