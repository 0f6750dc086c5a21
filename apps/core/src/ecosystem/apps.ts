import { join } from 'node:path';
import type { CmuxConfig } from '../config/index.js';
import { homePaths } from '../paths/index.js';

// The four PM2 apps and their namespace (CONTRACT §1).
export const APP_NAMES = {
  server: 'cmux-server',
  router: 'cmux-router',
  logWatcher: 'cmux-log-watcher',
  healer: 'cmux-frontend-healer',
} as const;

export type AppName = (typeof APP_NAMES)[keyof typeof APP_NAMES];
export const ALL_APP_NAMES: readonly AppName[] = Object.values(APP_NAMES);
export const PM2_NAMESPACE = 'cmux';
// The fifth app, on the host that serves a cluster's hub (docs/CLUSTER.md): nats-server.
export const HUB_APP_NAME = 'cmux-nats';
export type ManagedAppName = AppName | typeof HUB_APP_NAME;
export const MANAGED_APP_NAMES: readonly ManagedAppName[] = [...ALL_APP_NAMES, HUB_APP_NAME];

// The log watcher streams whole logs through short-lived strings: a small young generation
// keeps its memory flat (500 MB scanned in about 70 MB RSS instead of 100) at a small cost in
// speed. It runs in lite mode too: a full scan of 500 MB takes 0.67 s instead of 0.45 (still
// twice grep's speed; its routine scans read only what is new), and its RSS is 7 MB smaller idle
// (the optimising compiler's code pages) and 13 MB smaller at a scan's peak (bench: footprint,
// log-watcher).
export const LOG_WATCHER_NODE_ARGS: readonly string[] = ['--max-semi-space-size=2', '--lite-mode', '--no-expose-wasm'];
// The server, the router and the healer are idle most of the time, and busy only in short
// turns (a request, a message, a hash every few seconds; builds and browser checks run in child
// processes): a young generation capped at 1 MB a half (it grows to 16 MB by default) and V8's
// lite mode (no optimising compiler) keep each about 7 MB smaller than --optimize-for-size did.
// Lite mode has no WebAssembly; saying so spares the warning V8 prints otherwise.
const IDLE_APP_NODE_ARGS: readonly string[] = ['--max-semi-space-size=1', '--lite-mode', '--no-expose-wasm'];
const NODE_ARGS: Record<AppName, readonly string[]> = {
  'cmux-server': IDLE_APP_NODE_ARGS,
  'cmux-router': IDLE_APP_NODE_ARGS,
  'cmux-log-watcher': LOG_WATCHER_NODE_ARGS,
  'cmux-frontend-healer': IDLE_APP_NODE_ARGS,
};

const ENTRY_FOLDERS: Record<AppName, string> = {
  'cmux-server': 'server',
  'cmux-router': 'router',
  'cmux-log-watcher': 'log-watcher',
  'cmux-frontend-healer': 'frontend-healer',
};

// Where an app's compiled entry (tsc) and its bundle (scripts/bundle-apps.mjs) live. PM2 runs
// the bundle: one tree-shaken file holds only the code the app can reach (a fifth of zod, for
// one) and no per-module records or comments: about 25 MB less over the four apps.
export function appEntry(root: string, name: AppName): { compiled: string; bundle: string } {
  return {
    compiled: join(root, 'dist', 'apps', ENTRY_FOLDERS[name], 'index.js'),
    bundle: join(root, 'dist', 'bundles', `${ENTRY_FOLDERS[name]}.js`),
  };
}

// One PM2 app definition (the subset of PM2's options cmux sets).
export interface EcosystemApp {
  name: ManagedAppName;
  namespace: string;
  script: string;
  cwd: string;
  interpreter: string;
  node_args: string[];
  args?: string[];
  env: Record<string, string>;
  out_file: string;
  error_file: string;
  merge_logs: boolean;
  wait_ready: boolean;
  listen_timeout: number;
  kill_timeout: number;
  exp_backoff_restart_delay: number;
  autorestart: boolean;
  treekill: boolean;
  // PM2's in-process metrics agent (pm2.io): cmux reads nothing from it, and it costs each app
  // a few MB.
  pmx: boolean;
}

// The log files PM2 writes for an app, under $CMUX_HOME/logs.
export function appLogFiles(config: CmuxConfig, name: ManagedAppName): { out: string; err: string } {
  const { logs } = homePaths(config.home);
  return { out: join(logs, `${name}.out.log`), err: join(logs, `${name}.err.log`) };
}

// The environment every app gets, so that a `pm2 restart` sees the same cmux as `cmux start` did.
export function appEnvironment(config: CmuxConfig, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const socket = config.tmux.socket.kind === 'name' ? config.tmux.socket.name : config.tmux.socket.path;
  const vars: Record<string, string> = {
    CMUX_HOME: config.home,
    CMUX_HOST: config.server.host,
    CMUX_PORT: String(config.server.port),
    CMUX_TMUX_SOCKET: socket,
    CMUX_SESSION: config.tmux.session,
    NODE_ENV: env.NODE_ENV ?? 'production',
    // glibc otherwise raises its mmap threshold after the first large free, and from then on
    // keeps every freed buffer (a 256 KB read, SQLite's pages) in a heap it never gives back.
    MALLOC_MMAP_THRESHOLD_: '131072',
    MALLOC_TRIM_THRESHOLD_: '131072',
  };
  for (const passed of ['CMUX_CONFIG', 'PM2_HOME'] as const) {
    if (env[passed]) vars[passed] = env[passed];
  }
  return vars;
}

// Where the hub app keeps its configuration (written by `cmux cluster hub`).
export function hubFolder(config: CmuxConfig): string {
  return join(config.home, 'nats');
}

// What every app cmux runs under PM2 shares: its name, its logs, the environment that names
// this cmux, and how PM2 stops and restarts it.
function managedApp(config: CmuxConfig, env: Record<string, string>, name: ManagedAppName) {
  const logs = appLogFiles(config, name);
  return {
    name,
    namespace: PM2_NAMESPACE,
    env: { ...env },
    out_file: logs.out,
    error_file: logs.err,
    merge_logs: true,
    listen_timeout: config.processes.readyTimeoutMs,
    kill_timeout: config.processes.killTimeoutMs,
    exp_backoff_restart_delay: 200,
    autorestart: true,
    treekill: true,
    pmx: false,
  };
}

// The PM2 ecosystem of the four apps for one configuration. The apps run their bundles in
// dist/bundles (see README: why compiled and bundled), each with its own cwd so that PM2
// resolves nothing against the caller's folder.
export function buildEcosystem(config: CmuxConfig, env: NodeJS.ProcessEnv = process.env): { apps: EcosystemApp[] } {
  const appEnv = appEnvironment(config, env);
  return {
    apps: ALL_APP_NAMES.map((name) => ({
      ...managedApp(config, appEnv, name),
      script: appEntry(config.root, name).bundle,
      cwd: config.root,
      interpreter: process.execPath,
      node_args: [...NODE_ARGS[name]],
      wait_ready: true,
    })),
  };
}

// The fifth app on the host that serves a cluster's hub: nats-server (`natsServer`, its path,
// found by the caller) on the configuration `cmux cluster hub` writes. Its environment names the
// home, so it is known as this cmux's own app; it cannot say `ready`, so start waits for its port.
export function hubApp(config: CmuxConfig, natsServer: string, env: NodeJS.ProcessEnv = process.env): EcosystemApp {
  return {
    ...managedApp(config, appEnvironment(config, env), HUB_APP_NAME),
    script: natsServer,
    cwd: config.home,
    interpreter: 'none',
    node_args: [],
    args: ['-c', join(hubFolder(config), 'nats.conf')],
    wait_ready: false,
  };
}
