import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type Result } from 'execa';
import { buildDashboard, checkOnDisk, isDashboardStale } from '../../apps/core/src/index.ts';

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

// `userConfig`: YAML for the instance's CMUX_CONFIG file.
export async function createInstance(opts: { userConfig?: string } = {}): Promise<TestInstance> {
  const base = mkdtempSync(join(tmpdir(), 'cxt-'));
  const home = join(base, 'home');
  const pm2Home = join(base, 'pm2');
  const socket = join(base, 'tmux.sock');
  // Which test run made it, so that run's sweep (scripts/run-tests.mjs) cleans it if a test cannot.
  if (process.env.CMUX_TEST_RUN) writeFileSync(join(base, 'run'), process.env.CMUX_TEST_RUN);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), CMUX_HOME: home, PM2_HOME: pm2Home, CMUX_TMUX_SOCKET: socket, CMUX_PORT: String(port) };
  // A user config that names the instance's own copy of the dashboard build (unless it names one).
  const userConfig = opts.userConfig ?? '';
  const file = join(base, 'user.yaml');
  writeFileSync(file, /^frontend:/m.test(userConfig) ? userConfig : `${userConfig}\nfrontend:\n  dist: ${await privateDashboard(base)}\n`);
  env.CMUX_CONFIG = file;
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

let repositoryBuild: Promise<string> | undefined;

// A copy of the built dashboard in the instance's folder, so a test that deletes, breaks or
// rebuilds it touches no other instance. The repository's build is made once per test process
// (under the build lock) when it is missing or stale, and only copied after that.
async function privateDashboard(base: string): Promise<string> {
  repositoryBuild ??= (async () => {
    const dist = join(ROOT, 'apps', 'dashboard', 'dist');
    if (!checkOnDisk(dist).ok || isDashboardStale(ROOT, dist)) {
      const build = await buildDashboard(ROOT, dist);
      if (!build.ok) throw new Error(`the dashboard does not build:\n${build.output.slice(-2_000)}`);
    }
    return dist;
  })();
  const copy = join(base, 'dist');
  cpSync(await repositoryBuild, copy, { recursive: true });
  return copy;
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

// Processes whose command line or environment mentions `marker` (every one of several), other
// than this test process.
export function processesMentioning(marker: string | readonly string[]): Array<{ pid: number; command: string }> {
  const markers = typeof marker === 'string' ? [marker] : marker;
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
    const environ = read('environ');
    if (markers.every((m) => cmdline.includes(m) || environ.includes(m))) {
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
