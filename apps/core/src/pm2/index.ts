export { daemonPid, killDaemon, pm2Home, withPm2, type Pm2Session } from './client.js';
export { isCmuxApp, listAppStatus, type AppStatus } from './app-status.js';
