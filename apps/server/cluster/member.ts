import type { AgentOps } from '../../agents/ops.js';
import { splitHost } from '../../agents/find.js';
import type { ClusterConfig, CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { openLink } from '../../cluster/nats/link.js';
import { remoteOps } from '../../cluster/rpc/client.js';
import { serveRequests } from '../../cluster/rpc/responder.js';
import { createTeamDirectory } from '../../registry/directory/index.js';
import type { ClusterSide } from './side.js';

// A cluster member's server: one connection to the hub for its directory, its requests to the
// other hosts and its answers to theirs.
export async function createClusterMember(config: CmuxConfig, cluster: ClusterConfig, logger: Logger): Promise<ClusterSide> {
  const link = await openLink(cluster, 'server', logger);
  const directory = await createTeamDirectory(config, logger, link);
  let local: AgentOps | undefined;
  let responder: ReturnType<typeof serveRequests> | undefined;
  const known = (host: string) => directory.hosts().some((h) => h.host === host);
  const remote = (host: string, caller: string) => {
    if (!known(host)) throw new CmuxError('CMUX_ERR_NOT_IN_CLUSTER', `no host ${host} in cluster ${cluster.name}: \`cmux cluster status\` lists them`, { context: { host } });
    return remoteOps(link, cluster, host, caller, config.agents.readyTimeoutMs);
  };
  return {
    self: cluster.host,
    directory,
    opsFor(id, caller = 'user') {
      const split = splitHost(config, id);
      return { ops: split.host ? remote(split.host, caller) : local!, id: split.id, host: split.host };
    },
    opsOn(host, caller = 'user') {
      return host && host !== cluster.host ? remote(host, caller) : local!;
    },
    describe: () => ({ self: cluster.host, name: cluster.name, connected: link.connected(), since: link.since(), hosts: directory.hosts() }),
    async start(ops, source) {
      local = ops;
      responder = serveRequests(link, cluster, ops, logger);
      void responder.start();
      await directory.start(source);
    },
    async stop() {
      responder?.stop();
      await directory.stop();
      await link.close();
    },
  };
}
