import { join } from 'node:path';
import { CmuxError } from '../../core/src/errors/index.js';
import { which } from '../../core/src/proc/index.js';

// Where packages put nats-server when it is not on PATH (Debian's is /usr/sbin, which a
// user's PATH often lacks; Homebrew's is under /opt/homebrew or /usr/local).
const KNOWN_FOLDERS = ['/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin'];

export const NATS_INSTALL_HINT = 'install nats-server: `sudo apt-get install nats-server` (Debian/Ubuntu; it goes to /usr/sbin/nats-server), `brew install nats-server` (macOS), or set cluster.hub.natsServer to its path';

// The nats-server program: the configured path, else PATH, else where packages put it.
export function findNatsServer(configured: string | null, env: NodeJS.ProcessEnv = process.env, folders: readonly string[] = KNOWN_FOLDERS): string {
  const found = configured ? which(configured, env) : (which('nats-server', env) ?? folders.map((dir) => which(join(dir, 'nats-server'), env)).find(Boolean) ?? null);
  if (!found) throw new CmuxError('CMUX_ERR_NATS_MISSING', `${configured ? `${configured} (cluster.hub.natsServer) is not an executable program` : 'nats-server is not installed'}: ${NATS_INSTALL_HINT}`);
  return found;
}
