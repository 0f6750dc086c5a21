import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { appendMessage } from '../../apps/core/src/mailbox/append.ts';
import { openHistory } from '../../apps/core/src/history/store.ts';
import { createCluster, type ClusterHost, type TestCluster } from '../helpers/cluster.ts';
import { createInstance, freePort } from '../helpers/instance.ts';
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
    // A's dashboard streams B's agent's terminal beside its own supervisor's, in one subscription.
    const ws = new WebSocket(`ws://127.0.0.1:${a.port}/api/ws?token=${readFileSync(join(a.home, 'token'), 'utf8').trim()}`);
    const frames: Array<{ event: string; data: { id?: string; text?: string; error?: string } }> = [];
    ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    try {
      ws.send(JSON.stringify({ subscribe: ['w1@b', 'supervisor', 'nobody@b'] }));
      const streamed = await eventually(async () => frames.filter((f) => f.event === 'terminal'), (list) => ['w1@b', 'supervisor'].every((id) => list.some((f) => f.data.id === id)), 30_000);
      assert.match(streamed.find((f) => f.data.id === 'w1@b')!.data.text!, /You are w1, a worker agent/);
      await eventually(async () => frames.filter((f) => f.event === 'error').map((f) => f.data.error ?? ''), (errors) => errors.some((e) => /nobody/.test(e)), 30_000);
    } finally {
      ws.close();
    }
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

  // 500 messages from A's user to five light agents on B (`cat` into a file: a line per message
  // typed, so each is counted at the agent), the hub SIGKILLed with most still to go and started
  // again on the same store.
  it('loses and doubles none of 500 messages when nats-server is SIGKILLed and restarted while they flow', async () => {
    // Five agents, typed into at once (ten were slower here: the router's work per agent).
    const cats = Array.from({ length: 5 }, (_, i) => `c${i + 1}`);
    const catFile = (agent: string) => join(b.base, `${agent}.cat`);
    await Promise.all(
      cats.map(async (agent) => {
        const spawned = await b.cli(['spawn', agent, '--command', `cat > ${catFile(agent)}`]);
        assert.equal(spawned.exitCode, 0, String(spawned.stderr));
      }),
    );
    const texts = (agent: string) => Array.from({ length: 100 }, (_, i) => `through the crash ${agent} ${i}`);
    const typed = (agent: string) => (existsSync(catFile(agent)) ? readFileSync(catFile(agent), 'utf8').split('\n').filter((l) => l.startsWith('through the crash')) : []);
    const total = () => cats.reduce((n, agent) => n + typed(agent).length, 0);
    // Interleaved as a team would send them: one to each agent in turn.
    const sending = (async () => {
      for (let i = 0; i < 100; i++) {
        for (const agent of cats) await appendMessage(a.home, { from: 'user', to: `${agent}@b`, subject: `through the crash ${agent} ${i}`, body: `through the crash ${agent} ${i}` });
      }
    })();
    await eventually(async () => total(), (n) => n >= 25, 60_000);
    await cluster.hub.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_000));
    await cluster.hub.restart();
    await sending;
    await eventually(async () => total(), (n) => n >= 500, 180_000);
    for (const agent of cats) assert.deepEqual(typed(agent), texts(agent), `${agent}: each once, in order`);
  });

  it("types a cross-host message once when B's router is SIGKILLed while typing it", async () => {
    const onB = openHistory(b.home, { readonly: true });
    const onA = openHistory(a.home, { readonly: true });
    const routerPid = async () => {
      const status = JSON.parse(String((await b.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; pid: number | null; status: string }> };
      const router = status.apps.find((x) => x.name === 'cmux-router');
      return router?.status === 'online' ? router.pid : null;
    };
    // The kill must land after the text reached the agent and before B's router recorded it
    // delivered; a kill that comes too late is tried again with a new message.
    for (let attempt = 1; ; attempt++) {
      const text = `killed while typing ${attempt}`;
      const pid = (await eventually(routerPid, (p) => p !== null, 60_000))!;
      const message = await appendMessage(a.home, { from: 'user', to: 'w1@b', subject: text, body: text });
      const deadline = Date.now() + 60_000;
      let status = onB.get(message.id)?.status;
      while (!(status === 'delivered' || (status === 'delivering' && typedOnB([text]).length > 0))) {
        assert.ok(Date.now() < deadline, `${message.id} never reached w1 on B (status ${status})`);
        await new Promise((r) => setTimeout(r, 3));
        status = onB.get(message.id)?.status;
      }
      if (status === 'delivering') {
        process.kill(pid, 'SIGKILL');
        await eventually(async () => onB.get(message.id)?.status, (st) => st === 'delivered', 90_000);
        await eventually(async () => onA.get(message.id)?.status, (st) => st === 'delivered', 30_000);
        assert.deepEqual(typedOnB([text]), [text]);
        return;
      }
      assert.ok(attempt < 8, 'the kill never landed while a message was being typed');
    }
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
    // An agent on C (its supervisor, running `cmux mail send` in its window as any agent does)
    // to B's agent: typed once each, in order, under the sender's host-qualified tag.
    const fromAgent = ['first', 'second', 'third'].map((w) => `from the supervisor of c, ${w}`);
    for (const text of fromAgent) {
      const told = await c.cli(['send', 'supervisor', `$ cmux mail send --to w1@b --subject "${text}"`]);
      assert.equal(told.exitCode, 0, String(told.stderr));
    }
    const tagged = fromAgent.map((t) => `[supervisor@c] ${t}`);
    assert.deepEqual(await eventually(async () => typedOnB(tagged), (t) => t.length >= tagged.length, 60_000), tagged);
    assert.ok((await agents(a)).some((x) => x.id === 'supervisor@c'), "A lists C's supervisor");
    const status = await eventually(async () => String((await a.cli(['cluster', 'status'])).stdout), (out) => /^c\s+reachable/m.test(out), 15_000);
    assert.match(status, /^b\s+reachable .* \d+ agents?$/m);
  });

  it('serves a hub with `cmux cluster hub`, gives a host a user with add-host, and stops it with cmux stop', async () => {
    const hubHost = await createInstance({ userConfig: '' });
    try {
      const nameless = await hubHost.cli(['cluster', 'hub']);
      assert.notEqual(nameless.exitCode, 0);
      assert.match(String(nameless.stderr), /--host <name>/);
      assert.equal(existsSync(join(hubHost.home, 'cluster.yaml')), false);
      // Bad input writes nothing: no cluster.yaml, no password, no nats.conf.
      for (const listen of ['nonsense', '127.0.0.1:99999', '0.0.0.0:4222']) {
        const refused = await hubHost.cli(['cluster', 'hub', '--host', 'hub', '--listen', listen]);
        assert.notEqual(refused.exitCode, 0, listen);
        assert.match(String(refused.stderr), listen === '0.0.0.0:4222' ? /without TLS/ : /listen/, listen);
        assert.deepEqual(readdirSync(hubHost.home).filter((f) => f === 'cluster.yaml' || f === 'nats'), [], listen);
      }
      const port = await freePort();
      const served = await hubHost.cli(['cluster', 'hub', '--host', 'hub', '--listen', `127.0.0.1:${port}`], { timeoutMs: 60_000 });
      assert.equal(served.exitCode, 0, String(served.stderr));
      assert.match(String(served.stdout), /started cmux-nats/);
      const file = join(hubHost.home, 'cluster.yaml');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.match(readFileSync(file, 'utf8'), /enabled: true/);
      for (const bad of ['Desk', 'admin', 'leaf', '../x', 'a'.repeat(33)]) {
        const refused = await hubHost.cli(['cluster', 'add-host', bad]);
        assert.notEqual(refused.exitCode, 0, bad);
        assert.match(String(refused.stderr), /is not a host name/);
      }
      const added = await hubHost.cli(['cluster', 'add-host', 'desk']);
      assert.equal(added.exitCode, 0, String(added.stderr));
      const password = join(hubHost.home, 'nats', 'users', 'desk.password');
      assert.ok(String(added.stdout).includes(password), String(added.stdout));
      assert.match(String(added.stdout), new RegExp(`--join nats://<this host>:${port} --host desk`));
      assert.match(readFileSync(join(hubHost.home, 'nats', 'nats.conf'), 'utf8'), /user: "desk"/);
      const status = await hubHost.cli(['cluster', 'status']);
      assert.equal(status.exitCode, 0, String(status.stderr));
      assert.match(String(status.stdout), new RegExp(`hub in cluster cmux at nats://127.0.0.1:${port}`));
      const stopped = await hubHost.cli(['stop']);
      assert.match(String(stopped.stdout), /stopped cmux-nats/);
    } finally {
      await hubHost.cleanup();
    }
  });
});
