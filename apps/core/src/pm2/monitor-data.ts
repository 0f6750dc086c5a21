import { connect } from 'node:net';
import { join } from 'node:path';
import type { ProcessDescription } from 'pm2';
import { pm2Home, wrap } from './client.js';

// How long the daemon may take to answer; it answers from memory (and one `ps` for cpu/memory).
const ANSWER_TIMEOUT_MS = 15_000;

// The apps the PM2 daemon runs, asked over its RPC socket directly rather than through PM2's
// API: the API loads about a hundred modules (its CLI, deploy, pm2.io agent) that a process
// which only lists apps every few seconds keeps in memory for good (~5 MB each for the server
// and the log watcher, by the footprint bench). What `pm2.list()` sends and reads is the same
// call, `getMonitorData`, in PM2's wire format (axon's req/rep over amp framing, pinned with
// PM2's exact version): a message is one byte (version 1 in the high nibble, the argument
// count in the low one), then per argument a 32-bit big-endian length and its bytes; an
// argument is `j:` and JSON or `s:` and text, and a request's last argument is its id.
export function listMonitorData(env: NodeJS.ProcessEnv = process.env): Promise<ProcessDescription[]> {
  return wrap('list PM2 apps', askDaemon(join(pm2Home(env), 'rpc.sock'), 'getMonitorData', [{}]) as Promise<ProcessDescription[]>);
}

function askDaemon(socketPath: string, method: string, args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const id = `${process.pid}:cmux`;
    const socket = connect(socketPath);
    let received = Buffer.alloc(0);
    const finish = (error: Error | null, value?: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`no answer on ${socketPath} within ${ANSWER_TIMEOUT_MS / 1000} s`)), ANSWER_TIMEOUT_MS);
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`the daemon closed ${socketPath} without answering`)));
    socket.on('connect', () => socket.write(encode([`j:${JSON.stringify({ type: 'call', method, args })}`, `s:${id}`])));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const message = decode(received);
      if (!message) return;
      const [reply, replyId] = message;
      if (replyId !== `s:${id}` || !reply?.startsWith('j:')) return finish(new Error(`an unexpected answer on ${socketPath}`));
      const answer = JSON.parse(reply.slice(2)) as { args?: unknown[]; error?: unknown };
      if (answer.error !== undefined) return finish(new Error(String(answer.error)));
      finish(null, answer.args?.[0]);
    });
  });
}

function encode(args: string[]): Buffer {
  const parts = args.map((arg) => Buffer.from(arg));
  const out = Buffer.alloc(1 + parts.reduce((sum, part) => sum + 4 + part.length, 0));
  out[0] = (1 << 4) | parts.length;
  let offset = 1;
  for (const part of parts) {
    out.writeUInt32BE(part.length, offset);
    part.copy(out, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}

// The arguments of the first whole message in `buffer`, or null while it is incomplete.
function decode(buffer: Buffer): string[] | null {
  if (buffer.length < 1) return null;
  const count = buffer[0]! & 0xf;
  const args: string[] = [];
  let offset = 1;
  for (let i = 0; i < count; i++) {
    if (buffer.length < offset + 4) return null;
    const length = buffer.readUInt32BE(offset);
    if (buffer.length < offset + 4 + length) return null;
    args.push(buffer.toString('utf8', offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return args;
}
