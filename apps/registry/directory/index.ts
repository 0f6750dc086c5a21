import type { CmuxConfig } from '../../core/src/config/index.js';
import type { Logger } from '../../core/src/log/index.js';
import type { AppStatus } from '../../core/src/pm2/index.js';
import type { NatsLink } from '../../cluster/nats/link.js';

// One agent of another host as this host lists it: its id carries its host (w1@b), and its
// status is `unreachable` while its host does not answer.
export interface TeamAgent {
  id: string;
  host: string;
  name: string;
  role: string;
  session: string;
  window: string;
  windowId: string;
  status: string;
  statusSince: string;
  attention: { event: string; since: string } | null;
  createdAt: string;
  createdBy: string;
  command: string;
  cwd: string;
  kind: string;
  project: string;
  worktree?: { repo: string; branch: string; base: string; path: string };
  // The last lines of its screen, for the overview's cards.
  preview?: string;
}

// A host of the cluster as this host sees it.
export interface HostState {
  host: string;
  reachable: boolean;
  // When it was last heard from (this host's clock), or null.
  lastSeen: string | null;
  apps: AppStatus[];
  health: { status: string; problem: string | null } | null;
  agents: number;
}

// What changed in the team elsewhere: an agent appeared, changed, went; a host came or went.
export type DirectoryChange =
  | { kind: 'agent'; agent: TeamAgent; previous: TeamAgent | null }
  | { kind: 'agent_removed'; id: string }
  | { kind: 'host'; host: HostState };

// What this host tells the others about itself: its agents (as the status monitor lists
// them, local ids) and its apps and health.
export interface DirectorySource {
  agents(): ReadonlyArray<Omit<TeamAgent, 'host'>>;
  apps(): { apps: AppStatus[]; health: { status: string; problem: string | null } | null };
}

// The registry across hosts. agents.yaml stays this host's own, written only by its one writer;
// on a cluster member the server also publishes its agents to the cluster's registry bucket and
// lists every other host's (./jetstream.ts, loaded only then). The rest of cmux knows only this.
export interface TeamDirectory {
  readonly self: string | null;
  start(source: DirectorySource): Promise<void>;
  // The other hosts' agents.
  agents(): TeamAgent[];
  hosts(): HostState[];
  // This host's agents changed: tell the others.
  changed(): void;
  onChange(fn: (change: DirectoryChange) => void): void;
  stop(): Promise<void>;
}

const localDirectory: TeamDirectory = {
  self: null,
  async start() {},
  agents: () => [],
  hosts: () => [],
  changed() {},
  onChange() {},
  async stop() {},
};

// The directory this configuration calls for; `link` is the member's connection to the hub.
export async function createTeamDirectory(config: CmuxConfig, logger: Logger, link: NatsLink | null): Promise<TeamDirectory> {
  if (!config.cluster || !link) return localDirectory;
  const { createJetStreamDirectory } = await import('./jetstream.js');
  return createJetStreamDirectory(config, config.cluster, link, logger);
}
