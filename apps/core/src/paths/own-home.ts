import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { CmuxError } from '../errors/index.js';

// Makes sure CMUX_HOME is this user's alone before anything is read from or written to it:
// created 0700 when missing; refused when another user owns it (they could read the token
// and the mailbox, and write messages that get typed into agents) or when group or others
// may write in it (anyone could have planted files or links); tightened to 0700 when it is
// the user's own and only readable by others. Returns what it changed, for the caller to say.
export function ensureOwnHome(home: string): 'created' | 'tightened' | 'ok' {
  const existed = statOrNull(home) !== null;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const stat = statSync(home);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new CmuxError(
      'CMUX_ERR_HOME_UNSAFE',
      `CMUX_HOME ${home} belongs to user ${stat.uid}, not to you (${uid}): its owner could read your token and messages and type into your agents. Use a folder of your own (set CMUX_HOME), or have it removed`,
      { context: { home, owner: stat.uid } },
    );
  }
  const mode = stat.mode & 0o777;
  if (mode & 0o022) {
    throw new CmuxError(
      'CMUX_ERR_HOME_UNSAFE',
      `CMUX_HOME ${home} is writable by group or others (mode ${mode.toString(8).padStart(4, '0')}): anyone could have planted files or links in it. Check what is in it, then run: chmod 700 ${home}`,
      { context: { home, mode } },
    );
  }
  if (mode & 0o077) {
    chmodSync(home, 0o700);
    return 'tightened';
  }
  return existed ? 'ok' : 'created';
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
