import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appendMessage } from '../../apps/core/src/mailbox/append.ts';
import { createCluster, type ClusterHost, type TestCluster } from '../helpers/cluster.ts';
import { eventually } from '../helpers/tmux.ts';

type Listed = { id: string; status: string; host?: string };

// Two cmux hosts on this machine joined through a real nats-server (JetStream, temp store, free
// port, the hub's own permissions), shared by every case; a third joins with `--join`.
describe('cluster: hosts joined through NATS JetStream', { timeout: 400_000 }, () => {
  let cluster: TestCluster;
  let a: ClusterHost;
  let b: ClusterHost;
  const agents = async (host: ClusterHost): Promise<Listed[]> => {
    const listed = await host.cli(['agents', '--json']);
    return listed.exitCode === 0 ? (JSON.parse(String(listed.stdout)) as Listed[]) : [];
  };
  const statusOn = async (host: ClusterHost, id: string) => (await agents(host)).find((x) => x.id === id)?.status;
  // Messages from A's user to w1 on B, appended to A's mailbox as `cmux send --no-wait` does.
  const sendFromA = async (texts: readonly string[]) => {
    for (const text of texts) await appendMessage(a.home, { from: 'user', to: 'w1@b', subject: text, body: text });
  };
  // What w1 on B was typed among `texts`: each must come once, in the order sent.
  const typedOnB = (texts: readonly string[]) => {
    const wanted = new Set(texts);
    return b.received('w1').filter((t) => wanted.has(t));
  };

  before(async () => {
    cluster = await createCluster(['a', 'b'], { spare: ['c'] });
    a = cluster.hosts.a!;
    b = cluster.hosts.b!;
  });
  after(async () => {
    await cluster?.cleanup();
  });

  it('spawns an agent on B from A\'s CLI, lists it on both, and acts on it from A', async () => {
    const spawned = await a.cli(['spawn', 'w1', '--host', 'b', '--command', b.demo('w1'), '--task', 'first task']);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    assert.match(String(spawned.stdout), /spawned w1@b on b/);
    await eventually(() => statusOn(a, 'w1@b'), (s) => s === 'idle' || s === 'busy', 30_000);
    assert.ok((await agents(b)).some((x) => x.id === 'w1'), 'B lists its own agent without a host');
    assert.ok((await agents(a)).some((x) => x.id === 'supervisor@b'), "A lists B's supervisor");
    await eventually(async () => b.received('w1'), (r) => r.some((t) => t.endsWith('first task')), 30_000);
    const terminal = await a.cli(['terminal', 'w1@b', '-n', '20']);
    assert.equal(terminal.exitCode, 0, String(terminal.stderr));
    assert.match(String(terminal.stdout), /You are w1, a worker agent/);
    const unknown = await a.cli(['terminal', 'nobody@b']);
    assert.notEqual(unknown.exitCode, 0);
    assert.match(String(unknown.stderr), /nobody/);
  });

  it('types what A sends to B\'s agent once each, in the order sent', async () => {
    const sent = await a.cli(['send', 'w1@b', 'hello from a']);
    assert.equal(sent.exitCode, 0, String(sent.stderr));
    const texts = Array.from({ length: 10 }, (_, i) => `in order ${i}`);
    await sendFromA(texts);
    const typed = await eventually(async () => typedOnB(texts), (t) => t.length >= texts.length, 60_000);
    assert.deepEqual(typed, texts);
    assert.equal(b.received('w1').filter((t) => t === 'hello from a').length, 1);
  });

  // The demo agent takes about a message a second here (the router waits for its prompt each
  // time): 40 messages keep the case short while the hub dies with most of them still to go.
  it('loses and doubles nothing when nats-server is SIGKILLed and restarted while messages flow', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `through the crash ${i}`);
    const sending = sendFromA(texts);
    await eventually(async () => typedOnB(texts).length, (n) => n >= 3, 60_000);
    await cluster.hub.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_500));
    await cluster.hub.restart();
    await sending;
    const typed = await eventually(async () => typedOnB(texts), (t) => t.length >= texts.length, 120_000);
    assert.deepEqual(typed, texts);
  });

  it('shows a stopped host\'s agents unreachable within 10 s, keeps their messages and types each once when it is back', async () => {
    const stopped = await b.cli(['stop']);
    assert.equal(stopped.exitCode, 0, String(stopped.stderr));
    const since = Date.now();
    await eventually(() => statusOn(a, 'w1@b'), (s) => s === 'unreachable', 15_000);
    assert.ok(Date.now() - since <= 10_000, `unreachable after ${Date.now() - since} ms`);
    const texts = Array.from({ length: 5 }, (_, i) => `while b is away ${i}`);
    await sendFromA(texts);
    const started = await b.cli(['start'], { timeoutMs: 180_000 });
    assert.equal(started.exitCode, 0, String(started.stderr));
    const typed = await eventually(async () => typedOnB(texts), (t) => t.length >= texts.length, 90_000);
    assert.deepEqual(typed, texts);
    await eventually(() => statusOn(a, 'w1@b'), (s) => s === 'idle' || s === 'busy', 30_000);
  });

  it('refuses a member with wrong credentials, or a hub off loopback without any, and keeps its files as they were', async () => {
    const c = cluster.hosts.c!;
    const wrong = join(c.base, 'wrong.password');
    writeFileSync(wrong, 'not-the-password\n');
    const refused = await c.cli(['start', '--join', cluster.hub.url, '--host', 'c', '--password-file', wrong]);
    assert.notEqual(refused.exitCode, 0);
    assert.match(String(refused.stderr), /refused the credentials of host c/);
    assert.doesNotMatch(String(refused.stderr), /not-the-password/);
    assert.equal(existsSync(join(c.home, 'cluster.yaml')), false, 'a refused join writes nothing');
    const insecure = await c.cli(['start', '--join', 'nats://192.0.2.1:4222', '--host', 'c']);
    assert.notEqual(insecure.exitCode, 0);
    assert.match(String(insecure.stderr), /refusing to join nats:\/\/192\.0\.2\.1:4222 without credentials/);
    const bad = await c.cli(['start', '--join', 'http://x', '--host', 'c']);
    assert.notEqual(bad.exitCode, 0);
    assert.match(String(bad.stderr), /cluster\.nats\.url/);
    const noJoin = await c.cli(['start', '--host', 'c']);
    assert.notEqual(noJoin.exitCode, 0);
    assert.match(String(noJoin.stderr), /go with --join/);
    assert.equal(existsSync(join(c.home, 'cluster.yaml')), false);
  });

  it('joins a third host with --join and carries its messages to B', async () => {
    const c = cluster.hosts.c!;
    const password = join(c.base, 'c.password');
    writeFileSync(password, `${cluster.hub.password('c')}\n`);
    const joined = await c.cli(['start', '--join', cluster.hub.url, '--host', 'c', '--password-file', password], { timeoutMs: 180_000 });
    assert.equal(joined.exitCode, 0, String(joined.stderr));
    assert.match(String(joined.stdout), /cluster: c joins cmux/);
    assert.match(readFileSync(join(c.home, 'cluster.yaml'), 'utf8'), /host: c/);
    const sent = await c.cli(['send', 'w1@b', 'hello from c']);
    assert.equal(sent.exitCode, 0, String(sent.stderr));
    await eventually(async () => b.received('w1').filter((t) => t === 'hello from c').length, (n) => n === 1, 30_000);
    assert.ok((await agents(a)).some((x) => x.id === 'supervisor@c'), "A lists C's supervisor");
  });
});
