import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterConfig, CmuxConfig } from '../../core/src/config/index.js';
import { hubFolder } from '../../core/src/ecosystem/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { ensureHomeFolder, readHomeFile, replaceHomeFile } from '../../core/src/fs/index.js';
import { HOST_NAME } from '../../core/src/mailbox/index.js';
import { hubConf, LEAF_USER } from './config.js';

export const ADMIN_USER = 'admin';
const HOST = new RegExp(`^${HOST_NAME}$`);

// The hub's files under $CMUX_HOME/nats (0700): nats.conf, the admin's password, the leaf
// nodes' password (with cluster.hub.leafListen) and one password per host
// (users/<host>.password), each 0600.
export function hubFiles(config: CmuxConfig) {
  const dir = hubFolder(config);
  return { dir, conf: join(dir, 'nats.conf'), admin: join(dir, 'admin.password'), leaf: join(dir, 'leaf.password'), users: join(dir, 'users') };
}

export const newPassword = () => randomBytes(24).toString('base64url');

function readOrMake(config: CmuxConfig, file: string, proposed?: string): string {
  const known = readHomeFile(config.home, file)?.trim();
  if (known) return known;
  const password = proposed ?? newPassword();
  replaceHomeFile(config.home, file, password);
  return password;
}

export function assertHostName(host: string): void {
  if (!HOST.test(host) || host === ADMIN_USER || host === LEAF_USER) throw new CmuxError('CMUX_ERR_BAD_REQUEST', `${JSON.stringify(host)} is not a host name: lowercase letters, digits and -, 1-32 (not "admin" or "leaf")`);
}

export function adminPassword(config: CmuxConfig): string {
  return readOrMake(config, hubFiles(config).admin);
}

// A host's password, made (`proposed`, else a new one) when it has none yet.
export function hostPassword(config: CmuxConfig, host: string, proposed?: string): string {
  assertHostName(host);
  return readOrMake(config, passwordFile(config, host), proposed);
}

// The password a host has, or null: read only, nothing written.
export function knownHostPassword(config: CmuxConfig, host: string): string | null {
  assertHostName(host);
  return readHomeFile(config.home, passwordFile(config, host))?.trim() || null;
}

export function passwordFile(config: CmuxConfig, host: string): string {
  return join(hubFiles(config).users, `${host}.password`);
}

export function hubHosts(config: CmuxConfig): string[] {
  const { users } = hubFiles(config);
  ensureHomeFolder(config.home, users);
  return readdirSync(users)
    .filter((f) => f.endsWith('.password') && HOST.test(f.slice(0, -'.password'.length)))
    .map((f) => f.slice(0, -'.password'.length))
    .sort();
}

// Writes nats.conf from the hub's settings and its users.
export function writeHubConf(config: CmuxConfig, cluster: ClusterConfig): string {
  const hub = cluster.hub!;
  const files = hubFiles(config);
  const conf = hubConf({
    listen: hub.listen,
    storeDir: hub.storeDir,
    maxPayloadBytes: hub.maxPayloadBytes,
    leafListen: hub.leafListen,
    ...(hub.leafListen ? { leafPassword: readOrMake(config, files.leaf) } : {}),
    tls: hub.tls,
    admin: { user: ADMIN_USER, password: adminPassword(config) },
    hosts: hubHosts(config).map((host) => ({ host, password: hostPassword(config, host) })),
    cluster: cluster.name,
  });
  replaceHomeFile(config.home, files.conf, conf);
  return files.conf;
}
