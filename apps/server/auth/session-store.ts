import * as z from 'zod';
import { readHomeFile, replaceHomeFile } from '../../core/src/fs/index.js';
import { homePaths } from '../../core/src/paths/index.js';
import { SESSION_ORIGINS } from '../../core/src/server-client/index.js';

const digest = z.string().regex(/^[0-9a-f]{64}$/);
const time = z.number().int().positive();
const session = z.strictObject({
  created: time,
  lastUsed: time,
  expires: time,
  via: z.enum(SESSION_ORIGINS),
  // The digest of the login this session descends from (its own when it is one), and of the
  // session that minted its login URL: a logout ends the family, a revoke the branch.
  family: digest,
  parent: digest.optional(),
});
export type StoredSession = z.infer<typeof session>;
// Sessions by the SHA-256 digest of their secret.
export type SessionEntries = Record<string, StoredSession>;

export interface SessionStore {
  load(): SessionEntries;
  save(entries: SessionEntries): void;
}

const stored = z.record(digest, session);

// The dashboard sessions in state/sessions.json, so a restarted server (npm run stop, npm start)
// does not log every open dashboard out. Only SHA-256 digests of the session secrets are
// written: the file buys no login. A missing or unreadable file is an empty store: the worst
// case is a login. So is a file of the cookie-session era (digest → expiry): those sessions
// travelled in a cookie every local port received, and do not come back.
export function fileSessionStore(home: string): SessionStore {
  const file = homePaths(home).sessions;
  return {
    load() {
      try {
        const parsed = stored.safeParse(JSON.parse(readHomeFile(home, file) ?? '{}'));
        return parsed.success ? parsed.data : {};
      } catch {
        return {};
      }
    },
    save(entries) {
      replaceHomeFile(home, file, JSON.stringify(entries));
    },
  };
}
