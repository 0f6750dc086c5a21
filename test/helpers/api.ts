import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestInstance } from './instance.ts';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

// A client of a test instance's HTTP API, with its token.
export function apiClient(cmux: TestInstance) {
  const token = () => readFileSync(join(cmux.home, 'token'), 'utf8').trim();
  return {
    token,
    async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
      const response = await fetch(`http://127.0.0.1:${cmux.port}${path}`, {
        method,
        headers: { authorization: `Bearer ${token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON; keep the text.
      }
      return { status: response.status, body: parsed as T, headers: response.headers };
    },
  };
}
