import { chmodSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CmuxError } from '../errors/index.js';

// Makes sure CMUX_HOME is this user's alone before anything is read from or written to it:
// refused when a folder above it lets another user replace it (see assertSafeAncestors);
// created 0700 when missing; refused when another user owns it (they could read the token
// and the mailbox, and write messages that get typed into agents) or when group or others
// may write in it (anyone could have planted files or links); tightened to 0700 when it is
// the user's own and only readable by others. Returns what it changed, for the caller to say.
export function ensureOwnHome(home: string): 'created' | 'tightened' | 'ok' {
  assertSafeAncestors(home);
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
      `CMUX_HOME ${home} is writable by group or others (mode ${octal(mode)}): anyone could have planted files or links in it. Check what is in it, then run: chmod 700 ${home}`,
      { context: { home, mode } },
    );
  }
  if (mode & 0o077) {
    chmodSync(home, 0o700);
    return 'tightened';
  }
  return existed ? 'ok' : 'created';
}

// Refuses a CMUX_HOME below a folder another user could rename it out of (and plant one of
// their own in its place): every folder above it, as written and as its links resolve, must
// belong to you or root, and let neither group nor others write in it unless its sticky bit
// keeps them from renaming what is not theirs (as /tmp does).
function assertSafeAncestors(home: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  for (const dir of ancestors(home)) {
    const stat = statOrNull(dir);
    if (!stat) continue;
    const where = `${dir}, a folder above CMUX_HOME ${home},`;
    if (stat.uid !== uid && stat.uid !== 0) {
      throw new CmuxError(
        'CMUX_ERR_HOME_UNSAFE',
        `${where} belongs to user ${stat.uid}: they could move CMUX_HOME away and put their own in its place. Set CMUX_HOME to a folder under folders of your own`,
        { context: { home, path: dir, owner: stat.uid } },
      );
    }
    const mode = stat.mode & 0o7777;
    if (mode & 0o022 && !(mode & 0o1000)) {
      throw new CmuxError(
        'CMUX_ERR_HOME_UNSAFE',
        `${where} is writable by group or others without the sticky bit (mode ${octal(mode)}): anyone could move CMUX_HOME away and put their own in its place. Run: chmod go-w ${dir} (or chmod +t ${dir}), or set CMUX_HOME to a folder under folders only you can write`,
        { context: { home, path: dir, mode } },
      );
    }
  }
}

// The folders above `home`, as links resolve them: those above each folder on its written path
// (a link there leads through other folders), and those above where `home` itself leads.
function ancestors(home: string): Set<string> {
  const found = new Set<string>();
  const addWithParents = (real: string) => {
    for (let dir = real; !found.has(dir); dir = dirname(dir)) found.add(dir);
  };
  const written = resolve(home);
  if (statOrNull(written)) addWithParents(dirname(realpathSync(written)));
  for (let dir = dirname(written); ; dir = dirname(dir)) {
    if (statOrNull(dir)) addWithParents(realpathSync(dir));
    if (dir === dirname(dir)) return found;
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
