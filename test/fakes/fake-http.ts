import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TokenCounts } from '../../apps/usage/index.ts';

// The plumbing every fake model API shares: a loopback HTTP server that records each request
// (its JSON body parsed) before a handler answers it, a way to stream Server-Sent Events, and
// waits that end early when the client hangs up (an agent interrupted mid-answer).

export interface RecordedRequest {
  method: string;
  // The path without its query string; `query` keeps the rest.
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
  at: number;
  // When the answer was complete (null while it streams, or when the client hung up first).
  endedAt: number | null;
  body: unknown;
  // Set when the client hung up before the answer ended.
  aborted: boolean;
  // The tokens the answer billed (each fake's fakeUsage), once it was sent whole.
  usage: TokenCounts | null;
}

export interface Exchange {
  request: RecordedRequest;
  response: ServerResponse;
  // Aborts when the client closes the connection before the answer is complete.
  gone: AbortSignal;
}

export interface FakeHttpServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeHttp(handle: (exchange: Exchange) => Promise<void>): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    open.add(response);
    response.on('close', () => open.delete(response));
    void (async () => {
      const [path = '/', query = ''] = (request.url ?? '/').split(/\?(.*)/s);
      const raw = await readBody(request);
      const record: RecordedRequest = { method: request.method ?? 'GET', path, query, headers: request.headers, at: Date.now(), endedAt: null, body: parseJson(raw), aborted: false, usage: null };
      requests.push(record);
      const gone = new AbortController();
      response.on('finish', () => (record.endedAt = Date.now()));
      response.on('close', () => {
        if (!response.writableFinished) {
          record.aborted = true;
          gone.abort();
        }
      });
      await handle({ request: record, response, gone: gone.signal });
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of open) response.destroy();
        server.close(() => resolve());
      }),
  };
}

// The tokens of several answers together (what a log of them all should add up to).
export function sumUsage(counts: readonly TokenCounts[]): TokenCounts {
  return counts.reduce((a, b) => ({ input: a.input + b.input, output: a.output + b.output, cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite }), { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

// Opens an SSE stream; `send` writes one event (named, or data-only when `event` is null).
export function openSse(response: ServerResponse): { send(event: string | null, data: unknown): void; end(): void } {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  return {
    send(event, data) {
      if (!response.writable) return;
      response.write(`${event === null ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`);
    },
    end: () => response.end(),
  };
}

// Waits `ms`, or less if the client hangs up first.
export function waitUnlessGone(ms: number, gone: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ms <= 0 || gone.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    gone.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  try {
    return raw ? JSON.parse(raw) : null;
  } catch {
    return raw;
  }
}
