import { request } from 'node:http';
import { connect } from 'node:net';

// Node's default --max-http-header-size.
export const MAX_HEADER_BYTES = 16 * 1024;
// How much of a body over PARTIAL_UPLOAD_BYTES is sent.
const PARTIAL_UPLOAD_BYTES = 64 * 1024;
const TIMEOUT_MS = 30_000;

export interface RawResponse {
  status: number;
  type: string;
  text: string;
}

// One request over a real TCP connection, the path sent byte for byte as given. A large body
// must be refused from its Content-Length before it is read, so only its start is sent: a
// server that closes on an unread upload would reset the connection and lose its answer.
// Fails after 30 s rather than hanging.
export function sendRaw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  if (path.length > MAX_HEADER_BYTES) return sendOverlongPath(port, method, path);
  return new Promise((resolve, reject) => {
    let answered = false;
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...length }, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path.slice(0, 80)}: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (error) => (answered ? undefined : reject(error)));
    req.on('response', () => (answered = true));
    if (body !== undefined && Buffer.byteLength(body) > PARTIAL_UPLOAD_BYTES) req.write(body.slice(0, PARTIAL_UPLOAD_BYTES));
    else req.end(body);
  });
}

// A request line longer than Node's header limit gets 431 as soon as the limit is passed; only
// a little more than the limit is sent, so the server has read it all and closes cleanly.
function sendOverlongPath(port: number, method: string, path: string): Promise<RawResponse> {
  return sendBytes(port, `${method} ${path.slice(0, MAX_HEADER_BYTES + 4096)}`);
}

// Bytes as they are over a real TCP connection, and the answer the server writes before it
// closes (for what Node's HTTP parser refuses: the server answers, then hangs up).
export function sendBytes(port: number, bytes: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`${bytes.slice(0, 80)}: no answer within ${TIMEOUT_MS} ms`)));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', text = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), type: /content-type: (.*)/i.exec(head)?.[1] ?? '', text });
    });
    socket.write(bytes);
  });
}
