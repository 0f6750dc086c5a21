import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CmuxError, type CmuxConfig, homePaths } from '../../core/src/index.js';

// The API token: CMUX_TOKEN / server.token when set, else the one in $CMUX_HOME/token, created
// (0600, exclusively, so two starters agree on one) the first time it is needed.
export function ensureToken(config: CmuxConfig): string {
  if (config.server.token) return config.server.token;
  const file = homePaths(config.home).token;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    chmodSync(file, 0o600);
  }
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16) {
    throw new CmuxError('CMUX_ERR_CONFIG_INVALID', `the token in ${file} is shorter than 16 characters: delete the file to get a new one`);
  }
  return token;
}

// Compares a presented token with the real one in constant time (digests have equal length).
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
