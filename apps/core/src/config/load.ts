import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type * as z from 'zod';
import { CmuxError } from '../errors/index.js';
import { REPO_ROOT } from '../paths/index.js';
import { readHomeFile } from '../fs/index.js';
import { configInputSchema, type ClusterConfig, type CmuxConfig, type CmuxConfigInput } from './schema.js';

type Tree = Record<string, unknown>;
type Path = readonly string[];

interface Layer {
  // A file path, or 'environment'.
  source: string;
  data: Tree;
  // For the environment layer: which variable set which key.
  variables?: Map<string, string>;
}

// Environment variables and the keys they override (docs/REFERENCE.md, Configuration). Read here
// and nowhere else.
export const ENV_OVERRIDES: ReadonlyArray<{ variable: string; path: Path; kind: 'string' | 'int' | 'path' }> = [
  { variable: 'CMUX_HOME', path: ['home'], kind: 'path' },
  { variable: 'CMUX_HOST', path: ['server', 'host'], kind: 'string' },
  { variable: 'CMUX_PORT', path: ['server', 'port'], kind: 'int' },
  { variable: 'CMUX_TOKEN', path: ['server', 'token'], kind: 'string' },
  { variable: 'CMUX_TMUX_SOCKET', path: ['tmux', 'socket'], kind: 'string' },
  { variable: 'CMUX_SESSION', path: ['tmux', 'session'], kind: 'string' },
  { variable: 'CMUX_AGENT_COMMAND', path: ['agents', 'command'], kind: 'string' },
  { variable: 'CMUX_LOG_CHECK_INTERVAL', path: ['logWatcher', 'intervalSeconds'], kind: 'int' },
  { variable: 'CMUX_HEAL_INTERVAL', path: ['healer', 'intervalSeconds'], kind: 'int' },
  { variable: 'CMUX_CLUSTER_URL', path: ['cluster', 'nats', 'url'], kind: 'string' },
  { variable: 'CMUX_CLUSTER_HOST', path: ['cluster', 'host'], kind: 'string' },
  { variable: 'CMUX_NATS_PASSWORD', path: ['cluster', 'nats', 'password'], kind: 'string' },
];

// The variables that hold secrets: a daemon takes them out of its environment (see
// forgetSecretVariables).
const SECRET_VARIABLES = ['CMUX_TOKEN', 'CMUX_NATS_PASSWORD'] as const;

// Keys holding paths (or lists of paths), resolved against the folder their layer says they
// are relative to; `*` stands for every key at its level.
const PATH_KEYS: readonly Path[] = [
  ['home'],
  ['frontend', 'dist'],
  ['logWatcher', 'files'],
  ['worktrees', 'dir'],
  ['agentKinds', '*', 'settingsFile'],
  ['cluster', 'nats', 'credsFile'],
  ['cluster', 'nats', 'tls', '*'],
  ['cluster', 'hub', 'natsServer'],
  ['cluster', 'hub', 'tls', '*'],
  ['cluster', 'hub', 'storeDir'],
];

// What `cmux cluster join` and `cmux cluster hub` write into $CMUX_HOME (0600): the cluster
// section alone, read after the CMUX_CONFIG file and before the environment.
export const CLUSTER_FILE = 'cluster.yaml';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  // The folder holding config/cmux.yaml; the repository root unless a test says otherwise.
  root?: string;
}

// Layers config/cmux.yaml, the CMUX_CONFIG file and the environment, validates the result
// and returns it resolved and frozen. Throws CMUX_ERR_CONFIG_INVALID naming key, file and reason.
export function loadConfig(options: LoadConfigOptions = {}): CmuxConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const root = options.root ?? REPO_ROOT;
  const defaultsFile = join(root, 'config', 'cmux.yaml');
  const userFile = nonEmpty(env.CMUX_CONFIG) ? resolve(cwd, env.CMUX_CONFIG) : null;

  const defaults = readYamlLayer(defaultsFile, root);
  // An installed package (npm install -g) keeps its state in the user's home, not in the
  // package folder, which npm replaces on every update; a checkout (also npm link) keeps .cmux.
  if (root.split(sep).includes('node_modules')) setPath(defaults.data, ['home'], join(homedir(), '.cmux'));
  const layers: Layer[] = [defaults];
  if (userFile) layers.push(readYamlLayer(userFile, dirname(userFile)));
  const envLayer = readEnvLayer(env, cwd);
  // The home is known once the other layers are: its cluster file comes before the environment.
  const home = getPath(mergeTrees(layers.reduce<Tree>((acc, layer) => mergeTrees(acc, layer.data), {}), envLayer.data), ['home']);
  const clusterFile = typeof home === 'string' ? readClusterLayer(join(home, CLUSTER_FILE), home) : null;
  if (clusterFile) layers.push(clusterFile);
  layers.push(envLayer);

  const merged = layers.reduce<Tree>((acc, layer) => mergeTrees(acc, layer.data), {});
  const parsed = configInputSchema.safeParse(merged);
  if (!parsed.success) throw configErrorFromIssue(parsed.error.issues[0]!, layers, merged);
  return resolveConfig(parsed.data, { root, defaults: defaultsFile, user: userFile, cluster: clusterFile?.source ?? null }, layers);
}

// Takes the token's variable out of a daemon's environment once its configuration holds the
// value, so no process it starts (git and the repository's hooks, a dashboard build, a
// browser) inherits the token. PM2 keeps the app's environment and hands it to a restarted
// app as before. /proc/<pid>/environ still shows the environment the process began with: no
// process can rewrite that (see README, Security).
export function forgetTokenVariable(env: NodeJS.ProcessEnv = process.env): void {
  for (const variable of SECRET_VARIABLES) delete env[variable];
}

function resolveConfig(input: CmuxConfigInput, files: { root: string; defaults: string; user: string | null; cluster: string | null }, layers: Layer[]): CmuxConfig {
  const { socket } = input.tmux;
  return deepFreeze({
    root: files.root,
    home: input.home,
    server: { ...input.server, allowedHosts: [...input.server.allowedHosts] },
    tmux: {
      socket: socket.startsWith('/') ? { kind: 'path', path: socket } : { kind: 'name', name: socket },
      session: input.tmux.session,
      systemWindows: [...input.tmux.systemWindows],
      commandTimeoutMs: input.tmux.commandTimeoutSeconds * 1000,
      controlMode: input.tmux.controlMode,
    },
    agents: {
      command: input.agents.command,
      readyTimeoutMs: input.agents.readyTimeoutSeconds * 1000,
      env: input.agents.env,
      acceptApiKey: input.agents.acceptApiKey,
    },
    agentKinds: input.agentKinds,
    logWatcher: {
      intervalSeconds: input.logWatcher.intervalSeconds,
      files: [...input.logWatcher.files],
      cooldownMs: input.logWatcher.cooldownSeconds * 1000,
      errorPatterns: [...input.logWatcher.errorPatterns],
      ignorePatterns: [...input.logWatcher.ignorePatterns],
      diskAlertPercent: input.logWatcher.diskAlertPercent,
    },
    healer: {
      intervalSeconds: input.healer.intervalSeconds,
      reinstallOnFailure: input.healer.reinstallOnFailure,
      maxBuildAttempts: input.healer.maxBuildAttempts,
      apiFailuresBeforeRestart: input.healer.apiFailuresBeforeRestart,
      apiTimeoutMs: input.healer.apiTimeoutSeconds * 1000,
      browserCheck: input.healer.browserCheck,
      browserPath: input.healer.browserPath,
      browserIntervalMs: input.healer.browserIntervalSeconds * 1000,
    },
    frontend: { ...input.frontend },
    router: {
      unknownRecipientMs: input.router.unknownRecipientSeconds * 1000,
      busyWaitMs: input.router.busyWaitSeconds * 1000,
      deliveryAttempts: input.router.deliveryAttempts,
      holdMarginMs: input.router.holdMarginSeconds * 1000,
    },
    webhooks: { bodyLimitBytes: input.webhooks.bodyLimitBytes, sources: { ...input.webhooks.sources } },
    // Under the home unless configured: a folder cmux owns, outside any repository.
    worktrees: { ...input.worktrees, dir: input.worktrees.dir ?? join(input.home, 'worktrees') },
    notify: {
      events: [...input.notify.events],
      minIntervalMs: input.notify.minIntervalSeconds * 1000,
      maxPerMinute: input.notify.maxPerMinute,
      webhook: { url: input.notify.webhook.url, timeoutMs: input.notify.webhook.timeoutSeconds * 1000, retries: input.notify.webhook.retries },
    },
    usage: { readIntervalSeconds: input.usage.readIntervalSeconds, prices: input.usage.prices.map((price) => ({ ...price })) },
    budgets: { daily: { ...input.budgets.daily } },
    limits: { continue: { ...input.limits.continue } },
    processes: { ...input.processes },
    cluster: resolveCluster(input, layers),
    files: { defaults: files.defaults, user: files.user, cluster: files.cluster },
  });
}

// The cluster section, or null for a single host: no hub url to join and no hub to run.
function resolveCluster(input: CmuxConfigInput, layers: Layer[]): ClusterConfig | null {
  const { cluster, home } = input;
  if (cluster.nats.url === null && !cluster.hub.enabled) return null;
  const where = (key: string) => [...layers].reverse().find((l) => getPath(l.data, key.split('.')) !== undefined)?.source ?? layers[0]!.source;
  if (cluster.host === null) {
    throw configError({ key: 'cluster.host', source: where('cluster.nats.url'), reason: 'name this host (lowercase letters, digits and -): a cluster member needs a name' });
  }
  const { hub } = cluster;
  return {
    host: cluster.host,
    name: cluster.name,
    heartbeatMs: cluster.heartbeatSeconds * 1000,
    unreachableMs: cluster.unreachableSeconds * 1000,
    maxInFlight: cluster.maxInFlight,
    nats: { ...cluster.nats, url: cluster.nats.url ?? `nats://${loopbackSide(hub.listen)}`, tls: { ...cluster.nats.tls } },
    hub: hub.enabled
      ? {
          natsServer: hub.natsServer,
          listen: hub.listen,
          leafListen: hub.leafListen,
          tls: { ...hub.tls },
          storeDir: hub.storeDir ?? join(home, 'nats', 'store'),
          maxPayloadBytes: hub.maxPayloadBytes,
          retentionHours: hub.retentionHours,
          maxStreamBytes: hub.maxStreamBytes,
        }
      : null,
  };
}

// The address this host reaches its own hub at: a wildcard listen is reached on loopback.
function loopbackSide(listen: string): string {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon);
  return `${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${listen.slice(colon + 1)}`;
}

// $CMUX_HOME/cluster.yaml, when there is one: only a `cluster` section, paths relative to the home.
function readClusterLayer(file: string, home: string): Layer | null {
  let text: string | null;
  try {
    text = readHomeFile(home, file);
  } catch (error) {
    throw configError({ key: '(file)', source: file, reason: (error as Error).message });
  }
  if (text === null) return null;
  const layer = parseYamlLayer(text, file, home);
  const other = Object.keys(layer.data).find((key) => key !== 'cluster');
  if (other) throw configError({ key: other, source: file, reason: 'this file holds the cluster section alone: put other keys in your CMUX_CONFIG file' });
  return layer;
}

function readYamlLayer(file: string, base: string): Layer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : String(error);
    throw configError({ key: '(file)', source: file, reason });
  }
  return parseYamlLayer(text, file, base);
}

function parseYamlLayer(text: string, file: string, base: string): Layer {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw configError({ key: '(file)', source: file, reason: `invalid YAML${where}: ${detail}` });
  }
  if (data === null || data === undefined) data = {};
  if (!isTree(data)) throw configError({ key: '(file)', source: file, reason: 'the top level must be a mapping of keys' });
  const resolvePath = (value: unknown) => (typeof value === 'string' && value.length > 0 ? resolve(base, value) : value);
  for (const path of PATH_KEYS.flatMap((p) => expandPath(data, p))) {
    const value = getPath(data, path);
    if (value !== undefined) setPath(data, path, Array.isArray(value) ? value.map(resolvePath) : resolvePath(value));
  }
  return { source: file, data };
}

function readEnvLayer(env: NodeJS.ProcessEnv, cwd: string): Layer {
  const data: Tree = {};
  const variables = new Map<string, string>();
  for (const { variable, path, kind } of ENV_OVERRIDES) {
    const raw = env[variable];
    if (!nonEmpty(raw)) continue;
    let value: unknown = raw;
    if (kind === 'int') {
      if (!/^-?\d+$/.test(raw.trim())) {
        throw configError({ key: variable, source: 'environment', value: raw, reason: 'expected a whole number' });
      }
      value = Number(raw.trim());
    } else if (kind === 'path') {
      value = isAbsolute(raw) ? raw : resolve(cwd, raw);
    }
    setPath(data, path, value);
    variables.set(path.join('.'), variable);
  }
  return { source: 'environment', data, variables };
}

function configErrorFromIssue(issue: z.core.$ZodIssue, layers: Layer[], merged: Tree): CmuxError {
  const path = issue.path.map(String);
  const keyPath = issue.code === 'unrecognized_keys' ? [...path, issue.keys[0] ?? '?'] : path;
  const reason =
    issue.code === 'unrecognized_keys'
      ? 'unknown key'
      : issue.code === 'invalid_key'
        ? `invalid key name: ${issue.issues[0]?.message ?? issue.message}`
        : issue.message;
  const layer = [...layers].reverse().find((l) => getPath(l.data, keyPath) !== undefined) ?? layers[0]!;
  const variable = layer.variables?.get(keyPath.join('.'));
  return configError({
    key: variable ?? (keyPath.join('.') || '(top level)'),
    source: layer.source,
    value: issue.code === 'invalid_key' ? undefined : getPath(merged, keyPath),
    reason,
  });
}

function configError(details: { key: string; source: string; value?: unknown; reason: string }): CmuxError {
  // Secrets are never echoed back, not even wrong ones (a webhook URL often holds one).
  const secret = /token|secret|password|webhook\.url/i.test(details.key);
  const shown = details.value === undefined || secret ? '' : ` (got ${JSON.stringify(details.value)})`;
  return new CmuxError(
    'CMUX_ERR_CONFIG_INVALID',
    `invalid configuration: ${details.key} in ${details.source}: ${details.reason}${shown}`,
    { context: { key: details.key, source: details.source, reason: details.reason } },
  );
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeTrees(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? mergeTrees(current, value) : value;
  }
  return out;
}

// The paths `path` names in `tree`, each `*` replaced by the keys found at its level.
function expandPath(tree: unknown, path: Path): Path[] {
  const at = path.indexOf('*');
  if (at === -1) return [path];
  const level = getPath(tree, path.slice(0, at));
  if (!isTree(level)) return [];
  return Object.keys(level).flatMap((key) => expandPath(tree, [...path.slice(0, at), key, ...path.slice(at + 1)]));
}

function getPath(tree: unknown, path: Path): unknown {
  let node = tree;
  for (const key of path) {
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else if (isTree(node) && Object.hasOwn(node, key)) node = node[key];
    else return undefined;
  }
  return node;
}

function setPath(tree: Tree, path: Path, value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
