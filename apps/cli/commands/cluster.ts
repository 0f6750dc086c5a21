import { Command } from 'commander';
import { loadConfig, type CmuxConfig } from '../../core/src/config/index.js';
import { HUB_APP_NAME } from '../../core/src/ecosystem/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { isCmuxApp, withPm2 } from '../../core/src/pm2/index.js';
import { readClusterView } from '../../registry/directory/view-file.js';
import { hostPassword, knownHostPassword, newPassword, passwordFile, writeHubConf } from '../../cluster/hub/users.js';
import { changeClusterFile, startHub } from '../ops/cluster.js';
import { printJson, say } from '../output.js';

function hubConfig(config: CmuxConfig) {
  const cluster = config.cluster;
  if (!cluster?.hub) throw new CmuxError('CMUX_ERR_NOT_IN_CLUSTER', 'this host serves no hub: `cmux cluster hub --host <name>` first');
  return cluster;
}

const hub = new Command('hub')
  .description('serve the cluster\'s hub from this host: nats-server with JetStream as the PM2 app cmux-nats, this host its first member (docs/CLUSTER.md)')
  .option('--host <name>', "this host's name in the cluster (lowercase letters, digits and -)")
  .option('--listen <address>', 'where nats-server listens, host:port (default 127.0.0.1:4222; off loopback it needs cluster.hub.tls)')
  .action(async (opts: { host?: string; listen?: string }) => {
    const before = loadConfig();
    const host = opts.host ?? before.cluster?.host;
    if (!host) throw new CmuxError('CMUX_ERR_USAGE', 'name this host: `cmux cluster hub --host <name>` (lowercase letters, digits and -)');
    // The hub's own host joins it like any other, on loopback, with a user of its own. Its
    // password is written by startHub once the settings are known good: a bad --listen leaves
    // no file behind.
    const password = knownHostPassword(before, host) ?? newPassword();
    const cluster = await changeClusterFile(
      before,
      (section) => {
        section.host = host;
        const hubSection = (section.hub ?? {}) as Record<string, unknown>;
        hubSection.enabled = true;
        if (opts.listen !== undefined) hubSection.listen = opts.listen;
        section.hub = hubSection;
        section.nats = { ...((section.nats ?? {}) as Record<string, unknown>), user: host, password };
      },
      async (config) => {
        const changed = hubConfig(config);
        await startHub(config, changed, say);
        return changed;
      },
    );
    say(`the hub of cluster ${cluster.name} listens on ${cluster.hub!.listen}; add a host with \`cmux cluster add-host <name>\`, then \`cmux start\` here`);
  });

const addHost = new Command('add-host')
  .description("give a host a user on this host's hub; prints the file holding its password, for `cmux start --join … --password-file`")
  .argument('<name>', "the host's name")
  .action(async (name: string) => {
    const config = loadConfig();
    const cluster = hubConfig(config);
    hostPassword(config, name);
    writeHubConf(config, cluster);
    // nats-server reloads its users on SIGHUP; connected members stay connected.
    const pid = await withPm2(async (pm2) => (await pm2.list()).find((p) => isCmuxApp(p, HUB_APP_NAME, config.home) && p.pm2_env?.status === 'online')?.pid, { spawnDaemon: false });
    if (pid) process.kill(pid, 'SIGHUP');
    say(`host ${name} may join${pid ? '' : ' once the hub runs (`cmux start`)'}; its password is in ${passwordFile(config, name)}`);
    say(`on ${name}: cmux start --join nats://<this host>:${cluster.hub!.listen.slice(cluster.hub!.listen.lastIndexOf(':') + 1)} --host ${name} --password-file <a copy of that file>`);
  });

const status = new Command('status')
  .description('this host\'s cluster: the hub, and each other host with when it was last heard and its agents')
  .option('--json', 'print JSON')
  .action((opts: { json?: boolean }) => {
    const config = loadConfig();
    if (!config.cluster) throw new CmuxError('CMUX_ERR_NOT_IN_CLUSTER', 'this host is in no cluster: `cmux start --join nats://…` (docs/CLUSTER.md)');
    const view = readClusterView(config);
    if (opts.json) return printJson({ host: config.cluster.host, cluster: config.cluster.name, url: config.cluster.nats.url, hosts: view?.hosts ?? null });
    say(`${config.cluster.host} in cluster ${config.cluster.name} at ${config.cluster.nats.url}`);
    if (!view) return say('no picture of the other hosts yet: cmux-server writes it once it runs (`cmux start`)');
    if (view.hosts.length === 0) say('no other host yet');
    for (const h of view.hosts) {
      const agents = view.agents.filter((a) => a.host === h.host).length;
      say(`${h.host.padEnd(20)} ${(h.reachable ? 'reachable' : 'unreachable').padEnd(12)} last heard ${h.lastSeen ?? 'never'}  ${agents} agent${agents === 1 ? '' : 's'}`);
    }
  });

export const clusterCommand = new Command('cluster')
  .description('one team across several hosts through NATS JetStream (docs/CLUSTER.md)')
  .addCommand(hub)
  .addCommand(addHost)
  .addCommand(status);
