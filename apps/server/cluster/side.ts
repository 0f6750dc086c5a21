import type { AgentOps } from '../../agents/ops.js';
import { splitHost } from '../../agents/find.js';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { createTeamDirectory, type DirectorySource, type HostState, type TeamDirectory } from '../../registry/directory/index.js';

// The server's part of the cluster: the directory of the other hosts' agents, the ops of an
// agent wherever it runs, and the serving of other hosts' requests. A single host has none of
// it (and loads no NATS code); the routes only ever ask for `opsFor(id)`.
export interface ClusterSide {
  readonly self: string | null;
  readonly directory: TeamDirectory;
  // The ops of an agent id, and the id as its own host names it.
  opsFor(id: string, caller?: string): { ops: AgentOps; id: string; host: string | null };
  // The ops of a host (this one when null), for a spawn there.
  opsOn(host: string | null | undefined, caller?: string): AgentOps;
  // What GET /api/cluster answers.
  describe(): { self: string | null; name: string | null; connected: boolean | null; since: string | null; hosts: HostState[] };
  start(local: AgentOps, source: DirectorySource): Promise<void>;
  stop(): Promise<void>;
}

export async function createClusterSide(config: CmuxConfig, logger: Logger): Promise<ClusterSide> {
  if (config.cluster) {
    const { createClusterMember } = await import('./member.js');
    return createClusterMember(config, config.cluster, logger);
  }
  let local: AgentOps | undefined;
  const directory = await createTeamDirectory(config, logger, null);
  return {
    self: null,
    directory,
    opsFor(id) {
      return { ops: local!, id: splitHost(config, id).id, host: null };
    },
    opsOn(host) {
      if (host) throw new CmuxError('CMUX_ERR_NOT_IN_CLUSTER', `no host ${host}: this cmux is not in a cluster (docs/CLUSTER.md)`);
      return local!;
    },
    describe: () => ({ self: null, name: null, connected: null, since: null, hosts: [] }),
    async start(ops) {
      local = ops;
    },
    async stop() {},
  };
}
