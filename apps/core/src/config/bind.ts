import { isIP } from 'node:net';
import { CmuxError } from '../errors/index.js';
import type { CmuxConfig } from './schema.js';

// Whether a bind address only reaches this machine.
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

// The bind rule: an address beyond loopback only with a token the person chose for it (a
// generated one sits in a file other local users may get at, and a guessable default would be
// worse). Checked by `cmux start` before anything runs, and by the server itself.
export function assertSafeBind(config: CmuxConfig): void {
  const { host } = config.server;
  if (!isLoopback(host) && !config.server.token) {
    throw new CmuxError(
      'CMUX_ERR_UNSAFE_BIND',
      `refusing to listen on ${host}, which is not loopback, without a token chosen for it: set CMUX_TOKEN (16+ characters) or server.token, or bind to 127.0.0.1`,
      { context: { host } },
    );
  }
}
