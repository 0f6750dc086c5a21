export { daemonPid, killDaemon, pm2Home, withPm2, type Pm2Session } from './client.js';
export { appHome, isCmuxApp, listAppStatus, type AppStatus } from './app-status.js';
