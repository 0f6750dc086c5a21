import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listMonitorData } from '../../apps/core/src/pm2/monitor-data.ts';

// PM2's own RPC server (the one its daemon binds on rpc.sock), so the client is checked against
// the wire format PM2 really speaks, not against a copy of our reading of it.
const require = createRequire(import.meta.url);
const axon = require('pm2/modules/pm2-axon') as { socket(type: 'rep'): { bind(path: string): void; close(): void } };
const Rpc = require('pm2/modules/pm2-axon-rpc') as { Server: new (sock: unknown) => { expose(name: string, fn: (...args: unknown[]) => void): void } };

const home = mkdtempSync(join(tmpdir(), 'cmux-pm2rpc-'));
after(() => rmSync(home, { recursive: true, force: true }));
const env = { PM2_HOME: home };

async function withDaemon(getMonitorData: (args: unknown, reply: (error: unknown, list?: unknown) => void) => void, run: () => Promise<void>): Promise<void> {
  const rep = axon.socket('rep');
  new Rpc.Server(rep).expose('getMonitorData', getMonitorData as never);
  rep.bind(join(home, 'rpc.sock'));
  await new Promise((resolve) => setTimeout(resolve, 100));
  try {
    await run();
  } finally {
    rep.close();
  }
}

async function withRawServer(onData: (socket: import('node:net').Socket) => void, run: () => Promise<void>): Promise<void> {
  const server: Server = createServer((socket) => socket.once('data', () => onData(socket)));
  await new Promise<void>((resolve) => server.listen(join(home, 'rpc.sock'), resolve));
  try {
    await run();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('listMonitorData (PM2 RPC getMonitorData)', () => {
  it('reads the list PM2 answers, however large, with text in every script', async () => {
    const list = Array.from({ length: 200 }, (_, i) => ({ name: `app-${i} ✓ "quoted"`, pid: 1000 + i, pm2_env: { status: 'online', namespace: 'cmux', note: 'x'.repeat(2_000) }, monit: { memory: i, cpu: 0 } }));
    let asked: unknown;
    await withDaemon(
      (args, reply) => {
        asked = args;
        reply(null, list);
      },
      async () => assert.deepEqual(await listMonitorData(env), list),
    );
    assert.deepEqual(asked, {});
  });

  it('turns an error the daemon answers into CMUX_ERR_PM2_FAILED', async () => {
    await withDaemon(
      (_args, reply) => reply(new Error('God is busy')),
      async () => assert.rejects(listMonitorData(env), (e: Error & { code?: string }) => e.code === 'CMUX_ERR_PM2_FAILED' && /could not list PM2 apps: God is busy/.test(e.message)),
    );
  });

  it('fails clearly when no daemon listens, when it hangs up, or when it answers garbage', async () => {
    await assert.rejects(listMonitorData(env), (e: Error & { code?: string }) => e.code === 'CMUX_ERR_PM2_FAILED' && /ENOENT|ECONNREFUSED/.test(e.message));
    await withRawServer((socket) => socket.destroy(), () => assert.rejects(listMonitorData(env), /closed .*rpc\.sock without answering/));
    await withRawServer((socket) => socket.end(Buffer.from([0x12, 0, 0, 0, 1, 0x41, 0, 0, 0, 1, 0x42])), () => assert.rejects(listMonitorData(env), /unexpected answer/));
  });
});
