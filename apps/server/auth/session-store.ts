import { join } from 'node:path';
import * as z from 'zod';
import { readHomeFile, replaceHomeFile } from '../../core/src/fs/index.js';
import { homePaths } from '../../core/src/paths/index.js';

// Session digests and when each expires.
export type SessionEntries = Record<string, number>;

export interface SessionStore {
  load(): SessionEntries;
  save(entries: SessionEntries): void;
}

const stored = z.record(z.string().regex(/^[0-9a-f]{64}$/), z.number().int().positive());

// The dashboard sessions in state/sessions.json, so a restarted server (npm run stop, npm start)
// does not log every open dashboard out. Only SHA-256 digests of the session ids are written: the
// file buys no login. A missing or unreadable file is an empty store: the worst case is a login.
export function fileSessionStore(home: string): SessionStore {
  const file = join(homePaths(home).state, 'sessions.json');
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
