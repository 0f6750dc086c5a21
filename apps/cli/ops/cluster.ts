import { readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import type { StartOptions } from 'pm2';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { CLUSTER_FILE, loadConfig, type ClusterConfig, type CmuxConfig } from '../../core/src/config/index.js';
import { HUB_APP_NAME, hubApp } from '../../core/src/ecosystem/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { readHomeFile, replaceHomeFile } from '../../core/src/fs/index.js';
import { isCmuxApp, withPm2 } from '../../core/src/pm2/index.js';
import { waitUntil } from '../../core/src/proc/index.js';
import { findNatsServer } from '../../cluster/hub/nats-server.js';
import { ensureResources } from '../../cluster/hub/resources.js';
import { ADMIN_USER, adminPassword, hostPassword, writeHubConf } from '../../cluster/hub/users.js';
import { instanceId } from '../../cluster/instance.js';
import { namesOf } from '../../cluster/names.js';
import { connectNow } from '../../cluster/nats/connect.js';
import { assertSafeHub, assertSafeLink, urlHost } from '../../cluster/nats/security.js';
import { hostBeatSchema } from '../../cluster/wire.js';

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, host);
    socket.setTimeout(1_000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

// The cluster section of $CMUX_HOME/cluster.yaml, changed by `change` (0600, whole or not at all).
export function updateClusterFile(config: CmuxConfig, change: (cluster: Record<string, unknown>) => void): string {
  const file = join(config.home, CLUSTER_FILE);
  const text = readHomeFile(config.home, file);
  const tree = ((text ? parseYaml(text) : null) ?? {}) as { cluster?: Record<string, unknown> };
  const cluster = tree.cluster ?? {};
  change(cluster);
  replaceHomeFile(config.home, file, `# Written by cmux (cluster join / cluster hub): this host's part of its cluster. See docs/CLUSTER.md.\n${stringifyYaml({ cluster })}`);
  return file;
}

// The hub of this host: its configuration written from its users, nats-server started as the
// PM2 app cmux-nats (when it is not running), its port answering, and its stream and registry
// bucket made by its admin.
export async function startHub(config: CmuxConfig, cluster: ClusterConfig, report: (line: string) => void): Promise<void> {
  assertSafeHub(cluster);
  const natsServer = findNatsServer(cluster.hub!.natsServer);
  // Only now, with the settings checked, is anything written under $CMUX_HOME/nats.
  hostPassword(config, cluster.host, cluster.nats.password ?? undefined);
  writeHubConf(config, cluster);
  const app = hubApp(config, natsServer);
  await withPm2(
    async (pm2) => {
      const running = (await pm2.list()).find((p) => isCmuxApp(p, HUB_APP_NAME, config.home));
      if (running?.pm2_env?.status === 'online') return;
      if (running) await pm2.delete(HUB_APP_NAME);
      await pm2.start(app as unknown as StartOptions);
      report(`started ${HUB_APP_NAME} (${natsServer})`);
    },
    { spawnDaemon: true },
  );
  const listen = cluster.hub!.listen;
  const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
  const host = urlHost(cluster.nats.url);
  if (!(await waitUntil(() => portOpen(host, port), config.processes.readyTimeoutMs))) {
    throw new CmuxError('CMUX_ERR_START_FAILED', `${HUB_APP_NAME} did not listen on ${listen} within ${config.processes.readyTimeoutMs} ms: see \`cmux logs ${HUB_APP_NAME}\``);
  }
  const admin = await connectNow({ ...cluster, nats: { ...cluster.nats, user: ADMIN_USER, password: adminPassword(config), token: null, credsFile: null } }, 'hub-setup');
  try {
    await ensureResources(admin.lib, admin.nc, cluster.name, cluster.hub!);
  } finally {
    await admin.nc.close();
  }
}

// A member's checks before it starts: the hub takes its credentials (else CMUX_ERR_CLUSTER_AUTH,
// which stops the start), is set up, and no other machine beats under this host's name. A hub
// that does not answer only delays the cluster: this host starts and delivers its own mail.
export async function checkMembership(config: CmuxConfig, cluster: ClusterConfig, report: (line: string) => void): Promise<void> {
  assertSafeLink(cluster);
  let connection;
  try {
    connection = await connectNow(cluster, 'start');
  } catch (error) {
    if ((error as CmuxError).code !== 'CMUX_ERR_CLUSTER_UNAVAILABLE') throw error;
    report(`warning: ${(error as Error).message}; cmux starts and delivers this host's own mail, and joins the cluster once the hub answers`);
    return;
  }
  const { lib, nc } = connection;
  const names = namesOf(cluster);
  try {
    const jsm = await lib.jetstream.jetstreamManager(nc, { checkAPI: false });
    if (!(await jsm.streams.info(names.stream).catch(() => null))) {
      throw new CmuxError('CMUX_ERR_CLUSTER_UNAVAILABLE', `the hub at ${cluster.nats.url} is not set up for cluster ${cluster.name}: run \`cmux cluster hub\` on it`);
    }
    const kv = await new lib.kv.Kvm(nc).open(names.bucket, { allow_direct: true });
    const entry = await kv.get(names.hostKey(cluster.host)).catch(() => null);
    const beat = entry?.operation === 'PUT' ? hostBeatSchema.safeParse(JSON.parse(entry.string())) : null;
    if (beat?.success && beat.data.instance !== instanceId(config.home) && Date.now() - Date.parse(beat.data.at) < cluster.unreachableMs) {
      throw new CmuxError('CMUX_ERR_HOST_NAME_IN_USE', `another machine is joined to the cluster as ${cluster.host} right now: give this host a name of its own (cluster.host, or --host)`);
    }
    report(`cluster: ${cluster.host} joins ${cluster.name} at ${cluster.nats.url}`);
  } finally {
    await nc.close();
  }
}

export interface JoinOptions {
  url: string;
  host?: string;
  user?: string;
  passwordFile?: string;
}

// Changes $CMUX_HOME/cluster.yaml and runs `use` on the configuration it makes; the change is
// kept only when that configuration is valid and `use` succeeds (a refused join or a hub that
// cannot start leaves the file as it was, so a typo never turns a working host into a broken one).
export async function changeClusterFile<T>(config: CmuxConfig, change: (cluster: Record<string, unknown>) => void, use: (changed: CmuxConfig) => Promise<T>): Promise<T> {
  const file = join(config.home, CLUSTER_FILE);
  const before = readHomeFile(config.home, file);
  updateClusterFile(config, change);
  try {
    return await use(loadConfig());
  } catch (error) {
    if (before === null) rmSync(file, { force: true });
    else replaceHomeFile(config.home, file, before);
    throw error;
  }
}

// `cmux start --join`: this host's cluster section, kept once the hub takes its credentials.
export function joinCluster(config: CmuxConfig, opts: JoinOptions, report: (line: string) => void): Promise<void> {
  const password = opts.passwordFile === undefined ? undefined : readPasswordFile(opts.passwordFile);
  const section = (cluster: Record<string, unknown>) => {
    const nats = (cluster.nats ?? {}) as Record<string, unknown>;
    nats.url = opts.url;
    if (opts.host !== undefined) cluster.host = opts.host;
    const host = cluster.host as string | undefined;
    if (opts.user !== undefined || (nats.user === undefined && host !== undefined && password !== undefined)) nats.user = opts.user ?? host;
    if (password !== undefined) nats.password = password;
    cluster.nats = nats;
  };
  // A url makes this host a member: its section resolves, or loading it said what is wrong.
  return changeClusterFile(config, section, (joined) => checkMembership(joined, joined.cluster!, report));
}

function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CmuxError('CMUX_ERR_USAGE', `cannot read the password file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const password = text.trim();
  if (!password || password.includes('\n')) throw new CmuxError('CMUX_ERR_USAGE', `${file} must hold the password alone, on one line`);
  return password;
}
