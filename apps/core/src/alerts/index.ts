export { raiseAlert, readAlerts, type Alert, type NewAlert } from './alerts.js';
