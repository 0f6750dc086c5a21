import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type Result } from 'execa';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'scripts', 'cmux.mjs');
const CLI_TIMEOUT_MS = 60_000;

// A private cmux for one test: its own CMUX_HOME, a short PM2_HOME (Unix socket paths stay well
// under 100 bytes), a tmux -S socket in a temp dir, and a free port. Nothing touches the
// machine's default PM2 or tmux.
export interface TestInstance {
  base: string;
  home: string;
  pm2Home: string;
  socket: string;
  port: number;
  env: NodeJS.ProcessEnv;
  cli(args: readonly string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Result>;
  cleanup(): Promise<void>;
}

export async function createInstance(opts: { userConfig?: string } = {}): Promise<TestInstance> {
  const base = mkdtempSync(join(tmpdir(), 'cx-'));
  const home = join(base, 'home');
  const pm2Home = join(base, 'pm2');
  const socket = join(base, 'tmux.sock');
  const port = await freePort();
  // The test run that made this instance (scripts/run-tests.mjs sweeps only its own leftovers).
  writeFileSync(join(base, 'test-run'), process.env.CMUX_TEST_RUN ?? '');
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), CMUX_HOME: home, PM2_HOME: pm2Home, CMUX_TMUX_SOCKET: socket, CMUX_PORT: String(port) };
  if (opts.userConfig !== undefined) {
    const file = join(base, 'user.yaml');
    writeFileSync(file, opts.userConfig);
    env.CMUX_CONFIG = file;
  }
  const cli = (args: readonly string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) =>
    execa(process.execPath, [CLI, ...args], {
      env: { ...env, ...o.env },
      extendEnv: false,
      reject: false,
      timeout: o.timeoutMs ?? CLI_TIMEOUT_MS,
      cwd: ROOT,
      stdin: 'ignore',
    });
  return {
    base,
    home,
    pm2Home,
    socket,
    port,
    env,
    cli,
    async cleanup() {
      await cli(['stop']).catch(() => undefined);
      killLeftovers(base);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

// The environment of the test run without anything that would point cmux elsewhere.
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('CMUX_') || key === 'TMUX' || key === 'TMUX_PANE') delete env[key];
  delete env.PM2_HOME;
  return env;
}

// A TCP port nothing listens on right now.
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

// Processes whose command line or environment mentions `marker`, other than this test process.
export function processesMentioning(marker: string): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const read = (file: string) => {
      try {
        return readFileSync(`/proc/${entry}/${file}`, 'utf8');
      } catch {
        return '';
      }
    };
    const cmdline = read('cmdline');
    if (cmdline.includes(marker) || read('environ').includes(marker)) {
      found.push({ pid: Number(entry), command: cmdline.split('\0').join(' ').trim() });
    }
  }
  return found;
}

// Last resort after a failed test: SIGKILL whatever still refers to the instance.
function killLeftovers(marker: string): void {
  for (const { pid } of processesMentioning(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
