import { request as requestHttp } from 'node:http';
import { request as requestHttps } from 'node:https';

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  // Aborts the request early as well (a sender that stops).
  signal?: AbortSignal;
}

// One HTTP(S) request over node:http, never fetch: the daemons run in V8's lite mode, which has
// no WebAssembly, and fetch's HTTP parser (undici's llhttp) is WebAssembly; fetch would also
// load undici (some 12 MB of memory) into each of them. Redirects are not followed: a 3xx is
// an answer like any other. Rejects when no answer comes within `timeoutMs`.
export function httpRequest(url: string, opts: HttpRequestOptions): Promise<HttpAnswer> {
  const request = new URL(url).protocol === 'https:' ? requestHttps : requestHttp;
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: opts.method ?? 'GET', headers: opts.headers, signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, contentType: String(incoming.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
    });
    outgoing.on('error', reject);
    outgoing.end(opts.body);
  });
}
