import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  // Set when the sources had not changed since the last build: its files were put back
  // instead of building them again.
  reused?: boolean;
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
// file from the one the build wrote; and when its inputs (sources, lockfile) last changed.
export interface BuildInfo {
  builtAt: string;
  inputsChangedAt?: number;
  files: Record<string, { size: number; sha256: string }>;
}

// What a build's output depends on besides the build tool: the dashboard's sources and the
// locked dependency versions.
function inputsChangedAt(root: string): number {
  return Math.max(dashboardSourcesChangedAt(root), newestMtime(join(root, 'package-lock.json')));
}

// The copy of the last build kept beside `dist`: what a heal puts back when the sources have
// not changed since (vite would write the same files, in seconds).
function lastBuildOf(dist: string): string {
  return join(dirname(dist), `.${basename(dist)}.last-build`);
}

// The last build's copy, when it was built from the inputs as they are now and every one of
// its files is still what the build wrote.
function reusableBuild(root: string, dist: string): string | null {
  const copy = lastBuildOf(dist);
  try {
    const info = JSON.parse(readFileSync(join(copy, BUILD_INFO), 'utf8')) as BuildInfo;
    if (info.inputsChangedAt !== inputsChangedAt(root)) return null;
    const files = Object.entries(info.files);
    if (files.length === 0) return null;
    for (const [file, expected] of files) {
      const bytes = readFileSync(join(copy, file));
      if (bytes.length !== expected.size || createHash('sha256').update(bytes).digest('hex') !== expected.sha256) return null;
    }
    return copy;
  } catch {
    return null;
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

function writeBuildInfo(dir: string, inputsAt: number): void {
  const files: BuildInfo['files'] = {};
  for (const file of listFiles(dir)) {
    const bytes = readFileSync(join(dir, file));
    files[file] = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  writeFileSync(join(dir, BUILD_INFO), `${JSON.stringify({ builtAt: new Date().toISOString(), inputsChangedAt: inputsAt, files } satisfies BuildInfo, null, 2)}\n`);
}

// Replaces `target` with the folder `next` by renames, so no reader sees half of either.
function swapIn(next: string, target: string): void {
  const old = `${next}.old`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(next, target);
  rmSync(old, { recursive: true, force: true });
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
// server never serves a half-written build; a copy of it is kept for `reuse`. One build at a
// time across processes: a caller that finds a build under way waits for it and reports
// `joined` instead of building again. With `reinstall`, a failed build is retried once after
// reinstalling the dependencies. With `reuse`, when neither the sources nor the lockfile
// changed since the last build and its kept copy is intact, that copy is put back instead
// (vite has no incremental production build; the files it would write are these).
export async function buildDashboard(root: string, dist: string, opts: { reinstall?: boolean; reuse?: boolean } = {}): Promise<BuildResult> {
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
        const reusable = opts.reuse ? reusableBuild(root, dist) : null;
        if (reusable) {
          cpSync(reusable, out, { recursive: true });
          swapIn(out, dist);
          return { ok: true, output: `put back the last build (${reusable}): the sources have not changed since`, durationMs: Date.now() - started, reused: true };
        }
        const inputsAt = inputsChangedAt(root);
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
        writeBuildInfo(out, inputsAt);
        const kept = `${out}.keep`;
        cpSync(out, kept, { recursive: true });
        swapIn(kept, lastBuildOf(dist));
        swapIn(out, dist);
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
