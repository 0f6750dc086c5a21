import { createServer, type Server } from 'node:http';

export interface Received {
  at: number;
  body: Record<string, unknown>;
}

// A local HTTP endpoint that records the JSON posted to it; `status` decides each answer.
export async function startReceiver(
  status: (count: number) => number = () => 200,
): Promise<{ url: string; received: Received[]; readonly attempts: number; close(): Promise<void> }> {
  const received: Received[] = [];
  let count = 0;
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const code = status(count);
      if (code < 300) received.push({ at: Date.now(), body: JSON.parse(text) as Record<string, unknown> });
      response.writeHead(code).end();
      count += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    // Every request answered, the refused ones too.
    get attempts() {
      return count;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
