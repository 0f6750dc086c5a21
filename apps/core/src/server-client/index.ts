export { dashboardLoginUrl, getFromServer, postEvent, readToken, requestAsAgent, requestServer, type AgentCredentials } from './client.js';
export { httpRequest, type HttpAnswer } from './http.js';
export { listSessions, revokeSessions, SESSION_ID_LENGTH, SESSION_ORIGINS, sessionIdSchema, type SessionInfo, type SessionOrigin } from './sessions.js';
