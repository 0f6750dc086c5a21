import type { FastifyReply, FastifyRequest } from 'fastify';
import { CmuxError } from '../../core/src/errors/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { isLoopback } from '../../core/src/config/index.js';

// Wrong tokens and login codes a client may present: this many at once, then one more every
// REFILL_MS (10 a minute). A person who mistypes the token a few times never notices; a
// guesser gets 14 400 tries a day instead of some 3 500 a second.
export const ATTEMPT_BURST = 10;
export const ATTEMPT_REFILL_MS = 6_000;
// Past this many clients, those that are back to a full allowance are forgotten.
const MAX_CLIENTS = 10_000;

// Who a request counts against. Every loopback address is one client: a local process can
// send from any of 127.0.0.0/8 and would get a fresh allowance from each. An IPv6 client is
// its /64, which one host can fill with addresses.
export function clientOf(ip: string): string {
  if (isLoopback(ip)) return 'loopback';
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return ip;
  const [head = '', tail] = ip.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = tail === undefined ? front : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':')}::/64`;
}

// The allowance of failed credential checks per client: a token bucket. `check` refuses (429
// with Retry-After) a client that has used it up, before anything is compared; `failed`
// spends one. Only guessable things are counted — the token and login codes, not session
// secrets — so an open dashboard keeps working while someone guesses.
export function createAttemptGuard(logger?: Logger, now: () => number = Date.now) {
  const buckets = new Map<string, { left: number; at: number }>();
  const left = (client: string): number => {
    const bucket = buckets.get(client);
    return bucket ? Math.min(ATTEMPT_BURST, bucket.left + (now() - bucket.at) / ATTEMPT_REFILL_MS) : ATTEMPT_BURST;
  };
  const forgetRested = () => {
    if (buckets.size <= MAX_CLIENTS) return;
    for (const client of buckets.keys()) if (left(client) >= ATTEMPT_BURST) buckets.delete(client);
  };
  return {
    check(request: FastifyRequest, reply: FastifyReply): void {
      const allowance = left(clientOf(request.ip));
      if (allowance >= 1) return;
      const seconds = Math.ceil(((1 - allowance) * ATTEMPT_REFILL_MS) / 1000);
      void reply.header('retry-after', String(seconds));
      throw new CmuxError('CMUX_ERR_TOO_MANY_ATTEMPTS', `too many wrong tokens or login codes from this client: try again in ${seconds} s`);
    },
    failed(request: FastifyRequest): void {
      const client = clientOf(request.ip);
      const after = left(client) - 1;
      buckets.set(client, { left: after, at: now() });
      if (after < 1) logger?.warn(`too many wrong tokens or login codes from ${client}: its next tries wait (${ATTEMPT_BURST} at once, then one every ${ATTEMPT_REFILL_MS / 1000} s)`);
      forgetRested();
    },
  };
}

export type AttemptGuard = ReturnType<typeof createAttemptGuard>;
