import { setTimeout as sleep } from 'node:timers/promises';
import type { KV } from '@nats-io/kv';
import type { ClusterConfig, CmuxConfig } from '../../core/src/config/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { instanceId } from '../../cluster/instance.js';
import { namesOf } from '../../cluster/names.js';
import type { NatsLink } from '../../cluster/nats/link.js';
import { hostBeatSchema, remoteAgentSchema, type HostBeat, type RemoteAgent } from '../../cluster/wire.js';
import type { DirectoryChange, DirectorySource, HostState, TeamAgent, TeamDirectory } from './index.js';
import { writeClusterView } from './view-file.js';

const CHECK_MS = 500;
const PUT_TIMEOUT_MS = 5_000;
const RETRY_MS = 1_000;

// The registry across hosts on the cluster's KV bucket. This host's server is the one writer
// of its own keys (the hub's permissions let no other host write them): an agents.<host>.…
// key per agent, as the status monitor lists it, and hosts.<host> beating every
// heartbeatSeconds with its apps and health. It watches every key: another host's agents are
// listed here with their host, `unreachable` once their host has not beaten for
// unreachableSeconds (by this host's clock: no skew involved). A snapshot goes to
// state/cluster-view.json for the CLI.
export function createJetStreamDirectory(config: CmuxConfig, cluster: ClusterConfig, link: NatsLink, logger: Logger): TeamDirectory {
  const names = namesOf(cluster);
  const self = cluster.host;
  const instance = instanceId(config.home);
  const startedAt = new Date().toISOString();
  const listeners: Array<(change: DirectoryChange) => void> = [];
  // Other hosts' agents by key, their beats, and when each was heard (this host's clock).
  const remote = new Map<string, { host: string; agent: RemoteAgent }>();
  const beats = new Map<string, HostBeat>();
  const lastSeen = new Map<string, number>();
  const reachable = new Map<string, boolean>();
  // What this host last put, by key, and what it should hold now.
  const written = new Map<string, string>();
  let source: DirectorySource | undefined;
  let kv: KV | undefined;
  let stopping = false;
  let dirty = true;
  let resync = true;
  let wakeWriter: (() => void) | null = null;
  let timers: NodeJS.Timeout[] = [];
  const tasks: Array<Promise<void>> = [];

  const emit = (change: DirectoryChange) => {
    for (const fn of listeners) fn(change);
  };
  const isReachable = (host: string) => Date.now() - (lastSeen.get(host) ?? 0) < cluster.unreachableMs;
  const view = (host: string, agent: RemoteAgent): TeamAgent => ({
    ...(agent as TeamAgent),
    id: `${agent.id}@${host}`,
    host,
    status: reachable.get(host) === false ? 'unreachable' : agent.status,
  });
  const hostState = (host: string): HostState => {
    const beat = beats.get(host);
    const seen = lastSeen.get(host);
    return {
      host,
      reachable: reachable.get(host) ?? isReachable(host),
      lastSeen: seen ? new Date(seen).toISOString() : null,
      apps: beat?.apps ?? [],
      health: beat?.health ?? null,
      agents: [...remote.values()].filter((r) => r.host === host).length,
    };
  };
  const writeView = () => {
    try {
      writeClusterView(config, { self, writtenAt: new Date().toISOString(), unreachableMs: cluster.unreachableMs, hosts: [...beats.keys()].map((host) => {
        const { reachable: up, lastSeen: seen } = hostState(host);
        return { host, reachable: up, lastSeen: seen };
      }), agents: directory.agents().map(({ id, host, name, session, status }) => ({ id, host, name, session, status })) });
    } catch (error) {
      logger.warn(`cluster: could not write the cluster view: ${(error as Error).message}`);
    }
  };
  let viewTimer: NodeJS.Timeout | undefined;
  const viewChanged = () => {
    viewTimer ??= setTimeout(() => {
      viewTimer = undefined;
      writeView();
    }, 50);
  };

  // This host's keys as they should be now.
  function ownEntries(): Map<string, string> {
    const entries = new Map<string, string>();
    for (const agent of source?.agents() ?? []) entries.set(names.agentKey(self, agent.session, agent.name), JSON.stringify(agent));
    return entries;
  }

  async function put(key: string, value: string | null): Promise<void> {
    if (value === null) await kv!.delete(key);
    else await kv!.put(key, value, { timeout: PUT_TIMEOUT_MS } as never);
  }

  // Puts what changed, one key at a time; after every (re)connect, everything again and the
  // keys of agents that are gone deleted.
  async function writer(): Promise<void> {
    while (!stopping) {
      if (!dirty || !kv || !link.connected()) {
        await Promise.race([new Promise<void>((resolve) => (wakeWriter = resolve)), sleep(RETRY_MS)]);
        wakeWriter = null;
        continue;
      }
      dirty = false;
      try {
        const wanted = ownEntries();
        // What the bucket holds of this host is unknown: put everything, delete the rest.
        if (resync) {
          written.clear();
          for await (const key of await kv.keys(names.agentKeys(self))) written.set(key, '');
          resync = false;
        }
        for (const [key, value] of wanted) {
          if (written.get(key) === value) continue;
          await put(key, value);
          written.set(key, value);
        }
        for (const key of [...written.keys()]) {
          if (wanted.has(key)) continue;
          await put(key, null);
          written.delete(key);
        }
      } catch (error) {
        dirty = true;
        logger.warn(`cluster: publishing this host's agents failed (${(error as Error).message}); trying again`);
        await sleep(RETRY_MS);
      }
    }
  }

  async function beat(): Promise<void> {
    if (!kv || !link.connected() || !source) return;
    const { apps, health } = source.apps();
    const value: HostBeat = { host: self, instance, startedAt, at: new Date().toISOString(), apps, health: health ?? { status: 'unknown', problem: null }, agents: ownEntries().size };
    await kv.put(names.hostKey(self), JSON.stringify(value)).catch((error: unknown) => logger.warn(`cluster: the heartbeat failed: ${(error as Error).message}`));
  }

  function onAgentEntry(key: string, operation: string, text: string): void {
    const [, host] = key.split('.');
    if (!host || host === self) return;
    const before = remote.get(key);
    if (operation !== 'PUT') {
      if (!before) return;
      remote.delete(key);
      emit({ kind: 'agent_removed', id: `${before.agent.id}@${host}` });
      viewChanged();
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = null;
    }
    const parsed = remoteAgentSchema.safeParse(value);
    if (!parsed.success) return logger.warn(`cluster: ignored a bad registry entry ${key}`);
    remote.set(key, { host, agent: parsed.data });
    emit({ kind: 'agent', agent: view(host, parsed.data), previous: before ? view(host, before.agent) : null });
    viewChanged();
  }

  function onHostEntry(key: string, operation: string, text: string, update: boolean): void {
    const host = key.slice('hosts.'.length);
    if (operation !== 'PUT') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = null;
    }
    const parsed = hostBeatSchema.safeParse(value);
    if (!parsed.success || parsed.data.host !== host) return logger.warn(`cluster: ignored a bad heartbeat ${key}`);
    if (host === self) {
      if (parsed.data.instance !== instance && update) logger.error(`cluster: CMUX_ERR_HOST_NAME_IN_USE: another machine (instance ${parsed.data.instance}) is joined as ${self} too: give each host a name of its own`);
      return;
    }
    beats.set(host, parsed.data);
    lastSeen.set(host, Date.now());
    if (reachable.get(host) !== true) check();
    else emit({ kind: 'host', host: hostState(host) });
    viewChanged();
  }

  async function watch(filter: string, onEntry: (key: string, operation: string, text: string, update: boolean) => void): Promise<void> {
    while (!stopping) {
      try {
        const nc = await link.whenUp(() => stopping);
        if (!nc || !kv) return;
        const entries = await kv.watch({ key: filter });
        for await (const entry of entries) {
          if (stopping) {
            entries.stop();
            break;
          }
          onEntry(entry.key, entry.operation, entry.operation === 'PUT' ? entry.string() : '', entry.isUpdate);
        }
      } catch (error) {
        if (!stopping) logger.warn(`cluster: watching ${filter} failed (${(error as Error).message}); trying again`);
        await sleep(RETRY_MS);
      }
    }
  }

  // Reachability by heartbeat: a change reaches the dashboards and every agent of that host.
  function check(): void {
    for (const host of beats.keys()) {
      const now = isReachable(host);
      if (reachable.get(host) === now) continue;
      const before = reachable.get(host);
      reachable.set(host, now);
      if (before !== undefined || !now) logger.info(`cluster: host ${host} is ${now ? 'reachable again' : `unreachable (not heard from for ${cluster.unreachableMs / 1000} s)`}`);
      emit({ kind: 'host', host: hostState(host) });
      for (const entry of remote.values()) {
        if (entry.host !== host) continue;
        const current = view(host, entry.agent);
        emit({ kind: 'agent', agent: current, previous: { ...current, status: now ? 'unreachable' : entry.agent.status } });
      }
      viewChanged();
    }
  }

  const directory: TeamDirectory = {
    self,
    async start(from) {
      source = from;
      link.onReconnect(() => {
        resync = true;
        dirty = true;
        wakeWriter?.();
        void beat();
      });
      tasks.push(
        (async () => {
          const nc = await link.whenUp(() => stopping);
          if (!nc) return;
          kv = await new link.lib.kv.Kvm(nc).open(names.bucket, { allow_direct: true });
          wakeWriter?.();
          void beat();
          await Promise.all([watch('agents.>', onAgentEntry), watch('hosts.>', onHostEntry)]);
        })().catch((error: unknown) => logger.error(`cluster: the registry directory stopped: ${(error as Error).message}`)),
        writer(),
      );
      timers = [setInterval(() => void beat(), cluster.heartbeatMs), setInterval(check, CHECK_MS)];
      writeView();
    },
    agents: () => [...remote.values()].map(({ host, agent }) => view(host, agent)),
    hosts: () => [...beats.keys()].sort().map(hostState),
    changed() {
      dirty = true;
      wakeWriter?.();
    },
    onChange: (fn) => void listeners.push(fn),
    async stop() {
      stopping = true;
      for (const timer of timers) clearInterval(timer);
      clearTimeout(viewTimer);
      wakeWriter?.();
      await Promise.race([Promise.all(tasks), sleep(2_000)]);
    },
  };
  return directory;
}
