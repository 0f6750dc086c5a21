import { createHash, randomBytes } from 'node:crypto';
import { SESSION_ID_LENGTH, SESSION_ORIGINS, type SessionInfo, type SessionOrigin } from '../../core/src/server-client/index.js';
import type { SessionStore, StoredSession } from './session-store.js';

// A login code lives this long and works once: long enough to click the printed URL.
export const LOGIN_CODE_TTL_MS = 5 * 60 * 1000;
// A dashboard session lasts this long, or until logout or a revoke.
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_LIVE = 1_000;
// How stale a session's "last used" may get on disk: a write per request would be one per
// dashboard click.
const LAST_USED_GRAIN_MS = 60_000;

// Codes and sessions are kept by their SHA-256, so a memory dump or the sessions file holds neither.
const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

// A session secret as the dashboard gets it, to keep in its own origin's storage.
export interface Login {
  session: string;
  expiresAt: string;
}

interface Code {
  expires: number;
  // The digest of the session that minted it (none: minted with the token).
  parent?: string;
}

// The dashboard's logins: one-time codes (printed by `cmux start` / `cmux open`, asked for with
// the token or by a live session) and the token typed into the login form, each traded for a
// random session secret that the page keeps and sends as a header. Every session belongs to
// the family of the login it descends from: a logout ends the family, so a URL minted by a
// session does not outlive it. Codes live in memory only; sessions also in `store` when given,
// so they outlive a restart of the server.
export function createSessions(now: () => number = Date.now, store?: SessionStore) {
  const codes = new Map<string, Code>();
  const sessions = new Map<string, StoredSession>(Object.entries(store?.load() ?? {}));
  const prune = (map: Map<string, { expires: number }>) => {
    const at = now();
    for (const [key, { expires }] of map) if (expires <= at || map.size > MAX_LIVE) map.delete(key);
  };
  const persist = () => store?.save(Object.fromEntries(sessions));
  const live = (key: string): StoredSession | undefined => {
    const session = sessions.get(key);
    return session && session.expires > now() ? session : undefined;
  };
  const newSession = (via: SessionOrigin, parent?: string): Login => {
    const secret = randomBytes(32).toString('base64url');
    const key = digest(secret);
    const at = now();
    const family = parent === undefined ? key : sessions.get(parent)!.family;
    prune(sessions);
    sessions.set(key, { created: at, lastUsed: at, expires: at + SESSION_TTL_MS, via, family, ...(parent === undefined ? {} : { parent }) });
    persist();
    return { session: secret, expiresAt: new Date(at + SESSION_TTL_MS).toISOString() };
  };
  // Ends the sessions `doomed` picks, and the codes they minted; how many sessions ended.
  const end = (doomed: (key: string, session: StoredSession) => boolean): number => {
    const keys = [...sessions].filter(([key, session]) => doomed(key, session)).map(([key]) => key);
    for (const key of keys) sessions.delete(key);
    for (const [key, code] of codes) if (code.parent !== undefined && !sessions.has(code.parent)) codes.delete(key);
    if (keys.length > 0) persist();
    return keys.length;
  };
  // `key` and every session minted from it, from it again, and so on.
  const branch = (key: string): Set<string> => {
    const found = new Set([key]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [other, session] of sessions) {
        if (found.has(other) || session.parent === undefined || !found.has(session.parent)) continue;
        found.add(other);
        grew = true;
      }
    }
    return found;
  };
  return {
    // A fresh single-use code and when it expires; `parent` is the digest of the live session
    // asking for it (none: the token did).
    issueCode(parent?: string): { code: string; expiresAt: string } {
      prune(codes);
      const code = randomBytes(16).toString('base64url');
      const expires = now() + LOGIN_CODE_TTL_MS;
      codes.set(digest(code), { expires, ...(parent === undefined ? {} : { parent }) });
      return { code, expiresAt: new Date(expires).toISOString() };
    },
    // A new session for a live code (which is used up), or null; a code whose minting session
    // has ended is dead too.
    redeem(code: string): Login | null {
      const key = digest(code);
      const found = codes.get(key);
      codes.delete(key);
      if (!found || found.expires <= now()) return null;
      if (found.parent === undefined) return newSession(SESSION_ORIGINS.url);
      return live(found.parent) ? newSession(SESSION_ORIGINS.session, found.parent) : null;
    },
    // A new session for someone who showed the token (the login form).
    open: (): Login => newSession(SESSION_ORIGINS.form),
    // The digest of the live session `secret` opens, or null; marks it used.
    use(secret: string | undefined): string | null {
      if (!secret) return null;
      const key = digest(secret);
      const session = live(key);
      if (!session) return null;
      const at = now();
      if (at - session.lastUsed >= LAST_USED_GRAIN_MS) {
        session.lastUsed = at;
        persist();
      }
      return key;
    },
    // Logout: ends the session `secret` opens and its whole family; how many ended.
    logout(secret: string | undefined): number {
      const session = secret ? sessions.get(digest(secret)) : undefined;
      return session ? end((_key, other) => other.family === session.family) : 0;
    },
    // Ends the session with this listed id and every session minted from it; how many ended.
    revoke(id: string): number {
      const key = [...sessions.keys()].find((k) => k.slice(0, SESSION_ID_LENGTH) === id);
      if (key === undefined) return 0;
      const doomed = branch(key);
      return end((other) => doomed.has(other));
    },
    // Ends every session and every code; how many sessions ended.
    revokeAll(): number {
      codes.clear();
      return end(() => true);
    },
    // The live sessions, oldest first.
    list(): SessionInfo[] {
      prune(sessions);
      const iso = (ms: number) => new Date(ms).toISOString();
      return [...sessions]
        .sort(([, a], [, b]) => a.created - b.created)
        .map(([key, s]) => ({
          id: key.slice(0, SESSION_ID_LENGTH),
          createdAt: iso(s.created),
          lastUsedAt: iso(s.lastUsed),
          expiresAt: iso(s.expires),
          via: s.via,
          parent: s.parent === undefined ? null : s.parent.slice(0, SESSION_ID_LENGTH),
        }));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
