import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { fchmodSync } from 'node:fs';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError, isCmuxError } from '../../core/src/errors/index.js';
import { createHomeFile, readHomeFile, readRest, withHomeFile } from '../../core/src/fs/index.js';
import { homePaths } from '../../core/src/paths/index.js';

// The API token: CMUX_TOKEN / server.token when set, else the one in $CMUX_HOME/token, created
// (0600, exclusively, so two starters agree on one) the first time it is needed. A token file
// that is a symbolic link is refused: its target would be chmod-ed and printed in the URL.
export function ensureToken(config: CmuxConfig): string {
  if (config.server.token) return config.server.token;
  const file = homePaths(config.home).token;
  try {
    createHomeFile(config.home, file, `${randomBytes(24).toString('base64url')}\n`);
  } catch (error) {
    if (isCmuxError(error) || (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // Made private through the descriptor it is read from, so nothing swapped in gets the chmod.
  const text = withHomeFile(config.home, file, 'read', (fd) => {
    fchmodSync(fd, 0o600);
    return readRest(fd).toString('utf8');
  });
  const token = (text ?? '').trim();
  if (token.length < 16) {
    throw new CmuxError('CMUX_ERR_CONFIG_INVALID', `the token in ${file} is shorter than 16 characters: delete the file to get a new one`);
  }
  return token;
}

// The token agents' hooks present (scripts/claude-hook.mjs reads $CMUX_HOME/state/agent-token):
// good for reporting agent events and nothing else, so an agent window never needs the API
// token, whether it lives in a file or only in CMUX_TOKEN.
export function ensureAgentToken(config: CmuxConfig): string {
  const file = homePaths(config.home).agentToken;
  try {
    createHomeFile(config.home, file, `${randomBytes(24).toString('base64url')}\n`);
  } catch (error) {
    if (isCmuxError(error) || (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (readHomeFile(config.home, file) ?? '').trim();
}

// Compares a presented token with the real one in constant time (digests have equal length).
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
