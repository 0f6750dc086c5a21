export { getFromServer, postEvent, readToken } from './client.js';
