import type { ServerResponse } from 'node:http';

// A fake model's usage limit, opened by a prompt that says `LIMIT <seconds>`: from that
// request on, every main turn gets the provider's 429 until the reset, `seconds` ahead.
const MAX_LIMIT_S = 600;

export function createLimitWindow() {
  let resetAt = 0;
  return {
    // The reset (epoch ms) when this turn is refused, else null.
    refuse(prompt: string | null): number | null {
      const asked = /LIMIT (\d+)/.exec(prompt ?? '');
      if (asked && resetAt === 0) resetAt = Date.now() + Math.min(Number(asked[1]), MAX_LIMIT_S) * 1000;
      if (resetAt !== 0 && Date.now() < resetAt) return resetAt;
      return null;
    },
  };
}

// Answers 429 with `headers` and `body`, as the provider does.
export function sendLimit(response: ServerResponse, headers: Record<string, string>, body: unknown): void {
  response.writeHead(429, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
