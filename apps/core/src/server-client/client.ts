import { serverUrl, type CmuxConfig } from '../config/index.js';
import { CmuxError, ERROR_CODES, isCmuxError, type ErrorCode } from '../errors/index.js';
import { readHomeFile } from '../fs/index.js';
import { homePaths } from '../paths/index.js';
import { httpRequest, type HttpAnswer } from './http.js';

// The token a running cmux uses (CMUX_TOKEN, or the token file), without creating one; null
// when there is none to read. A link or FIFO in the token's place is CMUX_ERR_HOME_UNSAFE, so
// the caller says that rather than "is cmux running?".
export function readToken(config: CmuxConfig): string | null {
  if (config.server.token) return config.server.token;
  try {
    return readHomeFile(config.home, homePaths(config.home).token)?.trim() || null;
  } catch (error) {
    if (isCmuxError(error, 'CMUX_ERR_HOME_UNSAFE')) throw error;
    return null;
  }
}

// Calls the running server with the token; null when it does not answer 2xx in time. Throws
// only for a token file cmux refuses to read (see readToken).
async function callServer<T>(config: CmuxConfig, path: string, init: { method: string; body?: string }, timeoutMs: number): Promise<T | null> {
  const token = readToken(config);
  if (!token) return null;
  try {
    const answer = await httpRequest(`${serverUrl(config)}${path}`, {
      method: init.method,
      headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      ...(init.body ? { body: init.body } : {}),
      timeoutMs,
    });
    return answer.status >= 200 && answer.status < 300 ? (JSON.parse(answer.body.toString('utf8')) as T) : null;
  } catch {
    return null;
  }
}

// Calls a route of the running server with the token (and a JSON body) and returns its JSON
// answer; a refusal is thrown as the CmuxError the server answered with, no answer as
// CMUX_ERR_NOT_RUNNING.
export async function requestServer<T>(config: CmuxConfig, method: string, path: string, timeoutMs = 5_000, payload?: unknown): Promise<T> {
  const token = readToken(config);
  const json = payload === undefined ? undefined : JSON.stringify(payload);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) };
  const answer = token ? await httpRequest(`${serverUrl(config)}${path}`, { method, headers, timeoutMs, ...(json ? { body: json } : {}) }).catch(() => null) : null;
  return answerOf<T>(answer, serverUrl(config), method, path);
}

// Who an agent is to the server: its name and its own token (CMUX_AGENT_NAME, CMUX_AGENT_TOKEN).
export interface AgentCredentials {
  url: string;
  name: string;
  token: string;
}

// Calls one of the agent's own routes (/api/me…) as that agent, with a JSON body if given;
// answers and refusals as requestServer's. A timeout or a dropped connection is
// CMUX_ERR_NOT_RUNNING too.
export async function requestAsAgent<T>(agent: AgentCredentials, method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${agent.token}`, 'x-cmux-agent': agent.name };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const answer = await httpRequest(`${agent.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), timeoutMs }).catch(() => null);
  return answerOf<T>(answer, agent.url, method, path);
}

// The JSON of a 2xx answer; otherwise the CmuxError the server answered with.
function answerOf<T>(answer: HttpAnswer | null, url: string, method: string, path: string): T {
  if (!answer) throw new CmuxError('CMUX_ERR_NOT_RUNNING', `cmux-server at ${url} does not answer: is cmux running (\`cmux status\`)?`);
  const text = answer.body.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (answer.status >= 200 && answer.status < 300) return body as T;
  const { error, code } = (body ?? {}) as { error?: unknown; code?: unknown };
  const known = typeof code === 'string' && code in ERROR_CODES ? (code as ErrorCode) : 'CMUX_ERR_INTERNAL';
  throw new CmuxError(known, typeof error === 'string' ? error : `cmux-server answered ${answer.status} to ${method} ${path}`);
}

// GETs a JSON route of the running server, or null.
export function getFromServer<T>(config: CmuxConfig, path: string, timeoutMs = 1_500): Promise<T | null> {
  return callServer<T>(config, path, { method: 'GET' }, timeoutMs).catch(() => null);
}

// A fresh dashboard URL with a one-time login code, or null when the server does not answer
// (CMUX_ERR_HOME_UNSAFE for a token file cmux refuses to read).
export async function dashboardLoginUrl(config: CmuxConfig): Promise<string | null> {
  return (await callServer<{ url: string }>(config, '/api/login/code', { method: 'POST', body: '{}' }, 5_000))?.url ?? null;
}

// Hands the dashboards an event through the server. Best effort: a dashboard that missed it
// reads the history when it reconnects.
export async function postEvent(config: CmuxConfig, event: 'message' | 'message_status' | 'alert', data: unknown): Promise<boolean> {
  return (await callServer(config, '/api/events', { method: 'POST', body: JSON.stringify({ event, data }) }, 1_000).catch(() => null)) !== null;
}
