import { createHash, randomBytes } from 'node:crypto';
import type { SessionStore } from './session-store.js';

// A login code lives this long and works once: long enough to click the printed URL.
export const LOGIN_CODE_TTL_MS = 5 * 60 * 1000;
// A dashboard session lasts this long, or until logout.
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_LIVE = 1_000;

// Codes and sessions are kept by their SHA-256, so a memory dump holds neither.
const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

// The dashboard's logins: one-time codes (printed by `cmux start` / `cmux open`, asked for with
// the token) traded for a session id held in an HttpOnly cookie. The token itself never goes
// into a URL or a cookie. Codes live in memory only; sessions also in `store` when given, so
// they outlive a restart of the server.
export function createSessions(now: () => number = Date.now, store?: SessionStore) {
  const codes = new Map<string, number>();
  const sessions = new Map<string, number>(Object.entries(store?.load() ?? {}));
  const prune = (map: Map<string, number>) => {
    const at = now();
    for (const [key, expires] of map) if (expires <= at || map.size > MAX_LIVE) map.delete(key);
  };
  const persist = () => store?.save(Object.fromEntries(sessions));
  const newSession = () => {
    prune(sessions);
    const id = randomBytes(32).toString('base64url');
    sessions.set(digest(id), now() + SESSION_TTL_MS);
    persist();
    return id;
  };
  return {
    // A fresh single-use code and when it expires.
    issueCode(): { code: string; expiresAt: string } {
      prune(codes);
      const code = randomBytes(16).toString('base64url');
      const expires = now() + LOGIN_CODE_TTL_MS;
      codes.set(digest(code), expires);
      return { code, expiresAt: new Date(expires).toISOString() };
    },
    // A new session id for a live code (which is used up), or null.
    redeem(code: string): string | null {
      const key = digest(code);
      const expires = codes.get(key);
      codes.delete(key);
      return expires !== undefined && expires > now() ? newSession() : null;
    },
    // A new session for someone who showed the token (the login form).
    open: newSession,
    isLive(id: string | undefined): boolean {
      if (!id) return false;
      const expires = sessions.get(digest(id));
      return expires !== undefined && expires > now();
    },
    revoke(id: string | undefined): void {
      if (id && sessions.delete(digest(id))) persist();
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
