export { dashboardLoginUrl, getFromServer, postEvent, readToken } from './client.js';
