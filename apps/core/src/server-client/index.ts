export { dashboardLoginUrl, getFromServer, postEvent, readToken } from './client.js';
export { httpRequest, type HttpAnswer } from './http.js';
