import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNatsServer } from '../../apps/cluster/hub/nats-server.ts';
import { hubConf } from '../../apps/cluster/hub/config.ts';
import { ensureResources } from '../../apps/cluster/hub/resources.ts';
import { natsLib } from '../../apps/cluster/nats/lib.ts';
import { freePort } from './instance.ts';

export const TEST_CLUSTER = 'cmux';
const ADMIN = { user: 'admin', password: 'admin-test-password-0123456789' };

export interface TestHub {
  url: string;
  port: number;
  dir: string;
  admin: { user: string; password: string };
  // The credentials of a host (made for the hosts the hub was started with).
  password(host: string): string;
  // The YAML of a cmux member's cluster section for `host`.
  memberConfig(host: string, extra?: string): string;
  pid(): number | null;
  kill(signal?: NodeJS.Signals): Promise<void>;
  // Starts it again on the same port and store.
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// nats-server run from a configuration file, listening on `port` (the test's own).
export function natsServer(binary: string, conf: string, port: number) {
  let child: ChildProcess | null = null;
  let log = '';
  const launch = async () => {
    child = spawn(binary, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (log += d));
    child.stderr!.on('data', (d: Buffer) => (log += d));
    const deadline = Date.now() + 20_000;
    while (!(await portOpen(port))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`nats-server did not start on ${port}:\n${log.slice(-2_000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill(signal);
    await exited;
  };
  const pid = () => (child && child.exitCode === null ? (child.pid ?? null) : null);
  return { launch, kill, pid, log: () => log };
}

// A nats-server with JetStream for one test, on a free loopback port with its store in a
// temp folder, started from the hub's own generated configuration (the real permissions), its
// stream and bucket made by the admin as `cmux cluster hub` makes them. nats-server must be
// installed (`.ci/run` installs it): a missing one fails the test, it is never skipped.
// `tls`: the hub serves TLS only (its certificate and key), and members trust `ca`.
export async function startTestHub(hosts: readonly string[], opts: { base?: string; tls?: { cert: string; key: string; ca: string } } = {}): Promise<TestHub> {
  const binary = findNatsServer(null);
  const dir = opts.base ? join(opts.base, 'nats') : mkdtempSync(join(tmpdir(), 'cxt-nats-'));
  mkdirSync(dir, { recursive: true });
  if (!opts.base && process.env.CMUX_TEST_RUN) writeFileSync(join(dir, 'run'), process.env.CMUX_TEST_RUN);
  const port = await freePort();
  const passwords = new Map(hosts.map((host) => [host, `${host}-test-password-0123456789`]));
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    hubConf({
      listen: `127.0.0.1:${port}`,
      storeDir: join(dir, 'store'),
      maxPayloadBytes: 8 * 1024 * 1024,
      leafListen: null,
      tls: opts.tls ? { cert: opts.tls.cert, key: opts.tls.key } : { cert: null, key: null },
      admin: ADMIN,
      hosts: [...passwords].map(([host, password]) => ({ host, password })),
      cluster: TEST_CLUSTER,
    }),
    { mode: 0o600 },
  );
  const server = natsServer(binary, conf, port);
  const { launch, kill } = server;
  await launch();
  const lib = await natsLib();
  const url = `${opts.tls ? 'tls' : 'nats'}://127.0.0.1:${port}`;
  const admin = await lib.transport.connect({ servers: url, user: ADMIN.user, pass: ADMIN.password, ...(opts.tls ? { tls: { caFile: opts.tls.ca } } : {}) });
  try {
    await ensureResources(lib, admin, TEST_CLUSTER, { retentionHours: 24, maxStreamBytes: 1024 * 1024 * 1024, maxPayloadBytes: 8 * 1024 * 1024 });
  } finally {
    await admin.close();
  }
  return {
    url,
    port,
    dir,
    admin: ADMIN,
    password: (host) => {
      const password = passwords.get(host);
      if (!password) throw new Error(`the test hub has no user ${host}`);
      return password;
    },
    memberConfig: (host, extra = '') =>
      `cluster:\n  host: ${host}\n  name: ${TEST_CLUSTER}\n  nats:\n    url: ${url}\n    user: ${host}\n    password: ${passwords.get(host) ?? 'no-such-password'}\n${opts.tls ? `    tls: { ca: ${opts.tls.ca} }\n` : ''}${extra}`,
    pid: server.pid,
    kill,
    restart: launch,
    async cleanup() {
      await kill('SIGKILL');
      if (!opts.base) rmSync(dir, { recursive: true, force: true });
    },
  };
}
