import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { isCmuxError } from '../errors/index.js';
import { withFileLock } from '../lock/index.js';

const BUILD_TIMEOUT_MS = 5 * 60_000;
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export interface BuildResult {
  ok: boolean;
  // What the build printed (the last 20 000 characters), for logs and journal entries.
  output: string;
  durationMs: number;
  // Set when another process was already building: this call waited for it instead.
  joined?: boolean;
}

// The dashboard's sources: what a build reads.
function sourcesOf(root: string): string[] {
  const dir = join(root, 'apps', 'dashboard');
  return [join(dir, 'src'), join(dir, 'public'), join(dir, 'index.html'), join(dir, 'vite.config.ts')];
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

// When the dashboard's sources last changed (ms since the epoch).
export function dashboardSourcesChangedAt(root: string): number {
  return Math.max(...sourcesOf(root).map(newestMtime));
}

// Whether the built dashboard is missing or older than its sources.
export function isDashboardStale(root: string, dist: string): boolean {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return true;
  return dashboardSourcesChangedAt(root) > statSync(index).mtimeMs;
}

export const BUILD_INFO = 'build-info.json';

// The size and sha256 of every file of a build, so a check can tell a truncated or altered
// file from the one the build wrote.
export interface BuildInfo {
  builtAt: string;
  files: Record<string, { size: number; sha256: string }>;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

function writeBuildInfo(dir: string): void {
  const files: BuildInfo['files'] = {};
  for (const file of listFiles(dir)) {
    const bytes = readFileSync(join(dir, file));
    files[file] = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  writeFileSync(join(dir, BUILD_INFO), `${JSON.stringify({ builtAt: new Date().toISOString(), files } satisfies BuildInfo, null, 2)}\n`);
}

// Runs `vite build` into `outDir`.
async function runVite(root: string, outDir: string): Promise<{ ok: boolean; output: string }> {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const result = await execa(process.execPath, [vite, 'build', '--config', join(root, 'apps', 'dashboard', 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: root,
    // Plain text: the output goes into logs, alerts and the journal.
    env: { CMUX_DASHBOARD_OUT: outDir, NO_COLOR: '1', FORCE_COLOR: '0' },
    all: true,
    reject: false,
    timeout: BUILD_TIMEOUT_MS,
  });
  const output = String(result.all ?? '').replace(/\x1b\[[0-9;]*m/g, '');
  return { ok: result.exitCode === 0 && existsSync(join(outDir, 'index.html')), output: output.slice(-20_000) };
}

// What decides which dependencies npm installs: the apps run with NODE_ENV=production, and
// npm then leaves out (and prunes!) the devDependencies, typescript and the test runner among them.
const INSTALL_SCOPE_VARS = /^(NODE_ENV|npm_config_(production|omit|only|include|dev|also))$/i;

// Reinstalls the project's dependencies from its lockfile, dev dependencies included.
// `npm install --include=dev`, not `npm ci`: ci deletes node_modules before it installs, under
// the cmux apps that are running from it, and a failed ci (no network) leaves no build tools at
// all; install changes only what differs from the lockfile and keeps the rest. Without a
// lockfile nothing is installed: npm would pick new versions the project never ran with.
async function reinstallDependencies(root: string): Promise<{ ran: boolean; output: string }> {
  if (!existsSync(join(root, 'package.json')) || !existsSync(join(root, 'package-lock.json'))) {
    return { ran: false, output: `no reinstall: ${root} needs a package.json and a package-lock.json to install from ---` };
  }
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !INSTALL_SCOPE_VARS.test(key)));
  const install = await execa('npm', ['install', '--include=dev', '--no-audit', '--no-fund'], {
    cwd: root,
    env,
    extendEnv: false,
    all: true,
    reject: false,
    timeout: INSTALL_TIMEOUT_MS,
  });
  return { ran: true, output: `npm install --include=dev (exit ${install.exitCode}) ---\n${String(install.all ?? '').slice(-5_000)}` };
}

// Builds the dashboard into a fresh folder beside `dist` and swaps it in with renames, so the
// server never serves a half-written build. One build at a time across processes: a caller
// that finds a build under way waits for it and reports `joined` instead of building again.
// With `reinstall`, a failed build is retried once after reinstalling the dependencies.
export async function buildDashboard(root: string, dist: string, opts: { reinstall?: boolean } = {}): Promise<BuildResult> {
  const started = Date.now();
  const lock = `${dist}.build`;
  let ran = false;
  try {
    return await withFileLock(
      dirname(lock),
      lock,
      async () => {
        ran = true;
        const out = join(dirname(dist), `.${basename(dist)}.next-${randomBytes(4).toString('hex')}`);
        let attempt = await runVite(root, out);
        let output = attempt.output;
        if (!attempt.ok && opts.reinstall) {
          const install = await reinstallDependencies(root);
          output += `\n--- ${install.output}`;
          if (install.ran) {
            attempt = await runVite(root, out);
            output += `\n--- build again ---\n${attempt.output}`;
          }
        }
        if (!attempt.ok) {
          rmSync(out, { recursive: true, force: true });
          return { ok: false, output, durationMs: Date.now() - started };
        }
        writeBuildInfo(out);
        const old = `${out}.old`;
        if (existsSync(dist)) renameSync(dist, old);
        renameSync(out, dist);
        rmSync(old, { recursive: true, force: true });
        return { ok: true, output, durationMs: Date.now() - started };
      },
      { timeoutMs: 200 },
    );
  } catch (error) {
    if (ran || !isCmuxError(error, 'CMUX_ERR_LOCK_TIMEOUT')) throw error;
    // Someone else is building: wait for that build to finish, and let it count.
    await withFileLock(dirname(lock), lock, async () => undefined, { timeoutMs: BUILD_TIMEOUT_MS + INSTALL_TIMEOUT_MS });
    return { ok: existsSync(join(dist, 'index.html')), output: 'joined a build already under way', durationMs: Date.now() - started, joined: true };
  }
}
