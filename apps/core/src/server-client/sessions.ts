import * as z from 'zod';
import type { CmuxConfig } from '../config/index.js';
import { requestServer } from './client.js';

// How a dashboard session was made: a login URL minted with the token (`cmux start`,
// `cmux open`), the token typed into the login form, or a login URL a live session minted.
export const SESSION_ORIGINS = { url: 'login-url', form: 'login-form', session: 'session-url' } as const;
export type SessionOrigin = (typeof SESSION_ORIGINS)[keyof typeof SESSION_ORIGINS];

// A session's id as listed and revoked: the first hex digits of its secret's SHA-256, which
// buy no login.
export const SESSION_ID_LENGTH = 16;
export const sessionIdSchema = z.string().regex(new RegExp(`^[0-9a-f]{${SESSION_ID_LENGTH}}$`), `a session id is the ${SESSION_ID_LENGTH} hex digits \`cmux sessions\` lists`);

// A dashboard session as `cmux sessions` and GET /api/sessions show it.
export interface SessionInfo {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  via: SessionOrigin;
  // The id of the session that minted the login URL this one came from.
  parent: string | null;
}

// The running server's live dashboard sessions, oldest first.
export function listSessions(config: CmuxConfig): Promise<SessionInfo[]> {
  return requestServer<SessionInfo[]>(config, 'GET', '/api/sessions');
}

// Ends one session (and those minted from it), or every one; how many ended.
export function revokeSessions(config: CmuxConfig, id: string | 'all'): Promise<{ revoked: number }> {
  return requestServer<{ revoked: number }>(config, 'DELETE', id === 'all' ? '/api/sessions' : `/api/sessions/${id}`);
}
