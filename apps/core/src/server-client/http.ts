import { request } from 'node:http';

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

// One request to cmux's own server, over node:http. The daemons talk only to 127.0.0.1 over
// plain HTTP; fetch would load undici (some 12 MB of memory) into each of them for that.
// Rejects when the server does not answer within `timeoutMs`.
export function httpRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs: number }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: opts.method ?? 'GET', headers: opts.headers, signal: AbortSignal.timeout(opts.timeoutMs) }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, contentType: String(incoming.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
    });
    outgoing.on('error', reject);
    outgoing.end(opts.body);
  });
}
