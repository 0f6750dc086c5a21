import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { appendMessage, homePaths, isAlive, openHistory, type MailboxMessage } from '../apps/core/src/index.ts';
import { clusterNames } from '../apps/cluster/names.ts';
import { natsLib } from '../apps/cluster/nats/lib.ts';
import { apiClient } from '../test/helpers/api.ts';
import { createCluster, type ClusterHost, type TestCluster } from '../test/helpers/cluster.ts';
import { TEST_CLUSTER } from '../test/helpers/nats.ts';
import { machineLoad, percentile, type BenchRow } from './report.ts';

const LATENCY_MESSAGES = 30;
const LATENCY_GAP_MS = 150;
const BURST = 10_000;
const REGISTRY_CHANGES = 10;
const SCALE_HOSTS = 5;
const SCALE_AGENTS = 20;
const n = clusterNames(TEST_CLUSTER);

type Listed = { id: string; status: string };
const listed = async (host: ClusterHost): Promise<Listed[]> => {
  const response = await apiClient(host).call<Listed[]>('GET', '/api/agents');
  return response.status === 200 ? response.body : [];
};

async function until<T>(what: string, read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`cluster bench: ${what} did not happen within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

// A light agent on `host`: cat into a file, a line for each message typed.
async function spawnCat(on: ClusterHost, name: string): Promise<string> {
  const file = join(on.base, `${name}.cat`);
  const spawned = await on.cli(['spawn', name, '--command', `cat > ${file}`], { timeoutMs: 180_000 });
  if (spawned.exitCode !== 0) throw new Error(`spawn ${name} on ${on.host}: ${String(spawned.stderr)}`);
  return file;
}

// Append → typed into a cat agent for each message, the end point being its line in cat's
// file, polled while the messages are sent: `send` appends message i (on whichever host).
async function typedLatencies(file: (i: number) => string, count: number, send: (i: number) => Promise<MailboxMessage>): Promise<number[]> {
  const sent: MailboxMessage[] = [];
  const typedAt = new Map<string, number>();
  let sending = true;
  const sender = (async () => {
    for (let i = 0; i < count; i++) {
      sent.push(await send(i));
      await sleep(LATENCY_GAP_MS);
    }
  })().finally(() => (sending = false));
  const deadline = Date.now() + 180_000;
  while (sending || sent.some((m) => !typedAt.has(m.id))) {
    if (Date.now() > deadline) throw new Error(`cluster bench: ${sent.filter((m) => !typedAt.has(m.id)).length} messages never typed`);
    const texts = new Map<string, string>();
    for (const [i, m] of sent.entries()) {
      if (typedAt.has(m.id)) continue;
      const path = file(i);
      if (!texts.has(path)) texts.set(path, existsSync(path) ? readFileSync(path, 'utf8') : '');
      if (texts.get(path)!.includes(`${m.subject}\n`)) typedAt.set(m.id, Date.now());
    }
    await sleep(5);
  }
  await sender;
  return sent.map((m) => typedAt.get(m.id)! - Date.parse(m.ts));
}

const text = (label: string, i: number) => `${label} ${i} ${randomUUID().slice(0, 8)}`;

// Two hosts joined through a real nats-server, measured against the same host's own figures in
// the same run: a message typed into an agent on the other host against one typed into it
// from its own host, a burst stored on the other host against the same burst stored locally, a
// registry change seen on the other host, and the time a stopped host's agents take to read
// unreachable against the configured limit.
export async function benchCluster(log: (line: string) => void): Promise<BenchRow[]> {
  const cluster = await createCluster(['a', 'b']);
  const { a, b } = cluster.hosts as { a: ClusterHost; b: ClusterHost };
  try {
    const rows: BenchRow[] = [];
    const catter = await spawnCat(b, 'catter');
    await until('catter@b listed on a', () => listed(a), (l) => l.some((x) => x.id === 'catter@b' && x.status !== 'unreachable'), 60_000, 50);
    // Warm: the first messages load what typing needs on both paths.
    await typedLatencies(() => catter, 4, (i) => (i % 2 ? appendMessage(a.home, { from: 'user', to: 'catter@b', subject: text('warm', i) }) : appendMessage(b.home, { from: 'user', to: 'catter', subject: text('warm', i) })));
    // Local and cross-host messages alternate into the same agent, so both meet the same load.
    const both = await typedLatencies(() => catter, LATENCY_MESSAGES * 2, (i) =>
      i % 2 ? appendMessage(a.home, { from: 'user', to: 'catter@b', subject: text('across', i) }) : appendMessage(b.home, { from: 'user', to: 'catter', subject: text('local', i) }),
    );
    const local = both.filter((_, i) => i % 2 === 0);
    const across = both.filter((_, i) => i % 2 === 1);
    const load = machineLoad();
    log(`cluster: append → typed p50 ${percentile(across, 50)} ms across hosts, ${percentile(local, 50)} ms on the same host (${load})`);
    const typedRow = (p: number): BenchRow => ({
      area: 'cluster',
      name: `append → typed into an agent (cat) on another host, p${p}`,
      length: `${LATENCY_MESSAGES} messages each way, alternating`,
      unit: 'ms',
      value: percentile(across, p),
      baseline: percentile(local, p),
      baselineName: `the same agent's messages from its own host, p${p}, same run`,
      budget: { on: 'ratio', max: 1.5 },
      note: load,
    });
    rows.push(typedRow(50), typedRow(99), {
      area: 'cluster',
      name: 'append → typed into an agent (cat) on another host, p50 alone',
      length: `${LATENCY_MESSAGES} messages`,
      unit: 'ms',
      value: percentile(across, 50),
      baseline: null,
      baselineName: '— (its budget)',
      budget: { on: 'value', max: 100 },
      note: load,
    });
    rows.push(await burst(cluster, a, b, log));
    rows.push(...(await registryChange(a, b, log)));
    rows.push(await unreachable(a, b, log));
    return rows;
  } finally {
    await cluster.cleanup();
  }
}

// 10 000 lines written to A's mailbox at once (to the user, so nothing is typed): all stored in
// A's history (the same host's figure) and in B's (the other host's), each once — the stream
// holds exactly one copy of each.
async function burst(cluster: TestCluster, a: ClusterHost, b: ClusterHost, log: (line: string) => void): Promise<BenchRow> {
  const lib = await natsLib();
  const admin = await lib.transport.connect({ servers: cluster.hub.url, user: cluster.hub.admin.user, pass: cluster.hub.admin.password });
  const jsm = await lib.jetstream.jetstreamManager(admin);
  const copies = async () => (await jsm.streams.info(n.stream, { subjects_filter: n.copy('a') })).state.subjects?.[n.copy('a')] ?? 0;
  const onA = openHistory(a.home, { readonly: true });
  const onB = openHistory(b.home, { readonly: true });
  try {
    const [beforeA, beforeB, beforeCopies] = [onA.count(), onB.count(), await copies()];
    const ts = new Date().toISOString();
    const lines = Array.from({ length: BURST }, (_, i) => `${JSON.stringify({ id: randomUUID(), ts, from: 'supervisor', to: 'user', subject: `burst ${i}` })}\n`).join('');
    const written = performance.now();
    appendFileSync(homePaths(a.home).mailbox, lines);
    let storedA = 0;
    // When the hub had them all (the forwarder's part), watched beside the histories.
    let inHub = 0;
    const hubWatch = until('the burst in the hub', async () => (await copies()) - beforeCopies, (c) => c >= BURST, 600_000, 100).then(() => (inHub = performance.now() - written));
    const storedB = await until(
      'the burst stored on b',
      () => {
        if (!storedA && onA.count() - beforeA >= BURST) storedA = performance.now() - written;
        return onB.count() - beforeB;
      },
      (stored) => stored >= BURST,
      600_000,
      20,
    );
    const acrossMs = performance.now() - written;
    await hubWatch;
    await until('the burst stored on a', () => onA.count() - beforeA, (stored) => stored >= BURST, 60_000, 20);
    storedA ||= performance.now() - written;
    const inStream = (await copies()) - beforeCopies;
    if (storedB !== BURST || inStream !== BURST) throw new Error(`cluster bench: the burst of ${BURST} was stored ${storedB} times on b and ${inStream} times in the stream`);
    log(`cluster: burst of ${BURST} stored on b after ${acrossMs.toFixed(0)} ms (in the hub after ${inHub.toFixed(0)} ms), on a after ${storedA.toFixed(0)} ms`);
    return {
      area: 'cluster',
      name: `burst of ${BURST} messages written at once on one host: all stored in the other host's history`,
      length: `${BURST} messages, once`,
      unit: 'ms',
      value: acrossMs,
      baseline: storedA,
      baselineName: 'the same burst stored in its own host\'s history, same run',
      note: `each stored once: ${inStream} copies in the stream, ${storedB} rows on the other host; all in the hub after ${inHub.toFixed(0)} ms (the forwarder publishes one at a time, each acknowledged); ${machineLoad()}`,
    };
  } finally {
    onA.close();
    onB.close();
    await admin.close();
  }
}

// An agent spawned on B: from B's own server listing it (the same host's figure, from its
// agents.yaml) to A's server listing it — the registry's way through the KV bucket. Three
// pollers at once, each as often as it can.
async function registryChange(a: ClusterHost, b: ClusterHost, log: (line: string) => void): Promise<BenchRow[]> {
  const across: number[] = [];
  const local: number[] = [];
  const firstTime = (what: string, seen: () => boolean | Promise<boolean>) => until(what, async () => ((await seen()) ? performance.now() : 0), Boolean, 180_000, 2);
  for (let i = 0; i < REGISTRY_CHANGES; i++) {
    const name = `r${i}`;
    const file = join(b.home, 'agents.yaml');
    const spawning = b.cli(['spawn', name, '--command', 'cat', '--no-wait'], { timeoutMs: 180_000 });
    const [registered, onB, onA] = await Promise.all([
      firstTime(`${name} in b's agents.yaml`, () => existsSync(file) && readFileSync(file, 'utf8').includes(`${name}:`)),
      firstTime(`${name} listed on b`, async () => (await listed(b)).some((x) => x.id === name)),
      firstTime(`${name}@b listed on a`, async () => (await listed(a)).some((x) => x.id === `${name}@b`)),
    ]);
    local.push(onB - registered);
    across.push(onA - onB);
    const done = await spawning;
    if (done.exitCode !== 0) throw new Error(`spawn ${name}: ${String(done.stderr)}`);
  }
  const load = machineLoad();
  log(`cluster: registry change seen on the other host p50 ${percentile(across, 50).toFixed(0)} ms after its own host listed it (${across.map((s) => s.toFixed(0)).join(', ')}); its own host ${percentile(local, 50).toFixed(0)} ms after agents.yaml (${load})`);
  return [
    {
      area: 'cluster',
      name: "registry change (an agent spawned on a host): listed by its own server → listed by another host's server, p50",
      length: `${REGISTRY_CHANGES} spawns`,
      unit: 'ms',
      value: percentile(across, 50),
      baseline: percentile(local, 50),
      baselineName: "its own server listing it after its agents.yaml has it, p50, same spawns",
      budget: { on: 'value', max: 50 },
      note: `max ${Math.max(...across).toFixed(0)} ms; GET /api/agents polled on both hosts; ${load}`,
    },
  ];
}

// B stopped (`cmux stop`): from the moment its server (the writer of its beats) is gone to A
// listing its agents unreachable.
async function unreachable(a: ClusterHost, b: ClusterHost, log: (line: string) => void): Promise<BenchRow> {
  const status = JSON.parse(String((await b.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; pid: number | null }> };
  const pid = status.apps.find((x) => x.name === 'cmux-server')?.pid;
  if (!pid) throw new Error("cluster bench: b's server is not running");
  const stopping = b.cli(['stop'], { timeoutMs: 120_000 });
  await until("b's server gone", () => isAlive(pid), (alive) => !alive, 120_000, 2);
  const since = performance.now();
  await until('catter@b unreachable on a', () => listed(a), (l) => l.some((x) => x.id === 'catter@b' && x.status === 'unreachable'), 60_000, 20);
  const took = performance.now() - since;
  const stopped = await stopping;
  if (stopped.exitCode !== 0) throw new Error(`stop b: ${String(stopped.stderr)}`);
  log(`cluster: b's agents unreachable on a ${took.toFixed(0)} ms after b's server was gone`);
  return {
    area: 'cluster',
    name: "a host stopped → its agents read `unreachable` on another host",
    length: 'once',
    unit: 'ms',
    value: took,
    baseline: 6_000,
    baselineName: 'cluster.unreachableSeconds (6 s): no beat for that long',
    budget: { on: 'value', max: 10_000 },
    note: `from its server's exit (its last beat up to 2 s before); ${machineLoad()}`,
  };
}

// Five hosts with twenty light agents each on this one machine: how long until every host
// lists all hundred agents, and a message from each host to an agent on the next, typed.
export async function benchClusterScale(log: (line: string) => void): Promise<BenchRow[]> {
  const names = Array.from({ length: SCALE_HOSTS }, (_, i) => `h${i + 1}`);
  const started = performance.now();
  const cluster = await createCluster(names);
  log(`cluster-scale: ${SCALE_HOSTS} hosts started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const hosts = names.map((name) => cluster.hosts[name]!);
  try {
    const files = new Map<string, string>();
    const spawnStart = performance.now();
    await Promise.all(
      hosts.map(async (host) => {
        for (let i = 0; i < SCALE_AGENTS; i++) files.set(`k${i}@${host.host}`, await spawnCat(host, `k${i}`));
      }),
    );
    const spawned = performance.now();
    const total = SCALE_HOSTS * SCALE_AGENTS;
    await until('every host lists every agent', async () => (await Promise.all(hosts.map(listed))).every((l) => l.filter((x) => /^k\d+/.test(x.id) && x.status !== 'unreachable').length === total), Boolean, 300_000, 50);
    const allListed = performance.now() - spawned;
    log(`cluster-scale: ${total} agents spawned in ${((spawned - spawnStart) / 1000).toFixed(1)} s, listed everywhere ${allListed.toFixed(0)} ms after the last`);
    // Host i sends to agent k<i> on host i+1, each in turn.
    const target = (i: number) => `k${i % SCALE_AGENTS}@${hosts[(i + 1) % SCALE_HOSTS]!.host}`;
    const latencies = await typedLatencies((i) => files.get(target(i))!, SCALE_HOSTS * 6, (i) => appendMessage(hosts[i % SCALE_HOSTS]!.home, { from: 'user', to: target(i), subject: text('scale', i) }));
    const lib = await natsLib();
    const admin = await lib.transport.connect({ servers: cluster.hub.url, user: cluster.hub.admin.user, pass: cluster.hub.admin.password });
    const kvBytes = await (async () => {
      try {
        return (await (await new lib.kv.Kvm(admin).open(n.bucket)).status()).size;
      } finally {
        await admin.close();
      }
    })();
    const hubRss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${cluster.hub.pid()}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const load = machineLoad();
    log(`cluster-scale: append → typed p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms; KV ${kvBytes} bytes; nats-server ${hubRss.toFixed(0)} MB (${load})`);
    const row = (name: string, unit: string, value: number, note: string): BenchRow => ({ area: 'cluster-scale', name, length: `${SCALE_HOSTS} hosts × ${SCALE_AGENTS} agents`, unit, value, baseline: null, baselineName: '—', note });
    return [
      row(`${total} agents (cat) spawned on ${SCALE_HOSTS} hosts: last spawn → every host lists all`, 'ms', allListed, `spawning took ${((spawned - spawnStart) / 1000).toFixed(0)} s (each host in turn, the hosts at once); ${load}`),
      row('append → typed into an agent on the next host, p50', 'ms', percentile(latencies, 50), `${latencies.length} messages, one from each host in turn; p99 ${percentile(latencies, 99)} ms; ${load}`),
      row("the registry bucket's size", 'KB', kvBytes / 1024, `${total} agents and ${SCALE_HOSTS} hosts, with their history of puts`),
      row('nats-server RSS', 'MB', hubRss, 'after the run'),
    ];
  } finally {
    await cluster.cleanup();
  }
}
