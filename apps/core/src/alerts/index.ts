export { acknowledgeAlert, raiseAlert, readAlerts, type Alert, type NewAlert } from './alerts.js';
