import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import { clusterNames } from '../../apps/cluster/names.ts';
import { natsLib, type NatsLib } from '../../apps/cluster/nats/lib.ts';
import { startTestHub, TEST_CLUSTER, type TestHub } from '../helpers/nats.ts';

const n = clusterNames(TEST_CLUSTER);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The hub's generated permissions against a real nats-server: what a host may do, and each
// thing it must not, refused with the subject named (docs/CLUSTER.md, Security).
describe('cluster permissions (nats-server with the hub\'s generated configuration)', { timeout: 120_000 }, () => {
  let hub: TestHub;
  let lib: NatsLib;
  let a: NatsConnection;
  let b: NatsConnection;
  const as = (host: string) => lib.transport.connect({ servers: hub.url, user: host, pass: hub.password(host), inboxPrefix: n.inbox(host) });
  // Refused with a permissions violation on exactly this subject.
  const refused = async (what: Promise<unknown>, subject: string) => {
    await assert.rejects(what, (e: Error) => {
      assert.match(String(e.message), new RegExp(`Permissions Violation for Publish to "${subject.replace(/[.$*>]/g, '\\$&')}"`));
      return true;
    });
  };
  // A subscription the server closes for a violation.
  const subscriptionRefused = async (nc: NatsConnection, subject: string) => {
    const sub = nc.subscribe(subject);
    await nc.flush();
    const closed = await Promise.race([sub.closed.then((e) => e ?? new Error('closed')), sleep(3_000).then(() => null)]);
    assert.ok(closed, `the subscription to ${subject} stayed open`);
    assert.match(String((closed as Error).message), new RegExp(`Permissions Violation for Subscription to "${subject.replace(/[.$*>]/g, '\\$&')}"`));
  };

  before(async () => {
    hub = await startTestHub(['a', 'b']);
    lib = await natsLib();
    a = await as('a');
    b = await as('b');
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await hub?.cleanup();
  });

  it('refuses wrong or missing credentials at connect', async () => {
    await assert.rejects(lib.transport.connect({ servers: hub.url, user: 'b', pass: 'wrong', maxReconnectAttempts: 0 }), { name: 'AuthorizationError' });
    await assert.rejects(lib.transport.connect({ servers: hub.url, maxReconnectAttempts: 0 }), { name: 'AuthorizationError' });
  });

  it('lets a host make its own consumers, send mail as itself, write its own keys and watch all', async () => {
    const { AckPolicy } = lib.jetstream;
    const jsmA = await lib.jetstream.jetstreamManager(a, { checkAPI: false });
    const jsmB = await lib.jetstream.jetstreamManager(b, { checkAPI: false });
    await jsmA.consumers.add(n.stream, { durable_name: n.deliver('a'), filter_subject: n.mailTo('a'), ack_policy: AckPolicy.Explicit });
    await jsmB.consumers.add(n.stream, { durable_name: n.deliver('b'), filter_subject: n.mailTo('b'), ack_policy: AckPolicy.Explicit });
    await jsmB.consumers.add(n.stream, { durable_name: n.mirror('b'), ack_policy: AckPolicy.All });
    const ack = await lib.jetstream.jetstream(b).publish(n.mail('a', 'w1', 'b'), '{}', { msgID: randomUUID() });
    assert.ok(ack.seq > 0);
    const got = await (await lib.jetstream.jetstream(a).consumers.get(n.stream, n.deliver('a'))).next({ expires: 3_000 });
    assert.equal(got?.subject, n.mail('a', 'w1', 'b'));
    assert.equal(await got!.ackAck(), true);
    // The rewind: its own consumer deleted and made again from its ack floor.
    const info = await jsmB.consumers.info(n.stream, n.deliver('b'));
    await jsmB.consumers.delete(n.stream, n.deliver('b'));
    await jsmB.consumers.add(n.stream, { ...info.config, deliver_policy: lib.jetstream.DeliverPolicy.StartSequence, opt_start_seq: info.ack_floor.stream_seq + 1 });
    const kvB = await new lib.kv.Kvm(b).open(n.bucket, { allow_direct: true });
    const kvA = await new lib.kv.Kvm(a).open(n.bucket, { allow_direct: true });
    await kvB.put(n.agentKey('b', 'cmux', 'w1'), '{"x":1}');
    await kvB.put(n.hostKey('b'), '{}');
    assert.equal((await kvA.get(n.agentKey('b', 'cmux', 'w1')))?.string(), '{"x":1}');
    const watch = await kvA.watch({ key: 'agents.>' });
    for await (const entry of watch) {
      assert.equal(entry.key, n.agentKey('b', 'cmux', 'w1'));
      break;
    }
    // Request/reply between the hosts' servers.
    a.subscribe(n.rpcTo('a'), { callback: (_e, m) => void m.respond('{"ok":true}') });
    await a.flush();
    assert.equal((await b.request(n.rpc('a', 'interrupt'), '{}', { timeout: 3_000 })).string(), '{"ok":true}');
  });

  it('refuses a host every act as another host, each with the subject named, and keeps it connected', async () => {
    const jsB = lib.jetstream.jetstream(b, { timeout: 3_000 });
    const jsmB = await lib.jetstream.jetstreamManager(b, { checkAPI: false, timeout: 3_000 });
    const kvB = await new lib.kv.Kvm(b).open(n.bucket, { allow_direct: true });
    await refused(jsB.publish(n.mail('a', 'w1', 'a'), '{}', { msgID: randomUUID(), timeout: 3_000 }), n.mail('a', 'w1', 'a'));
    await refused(jsB.publish(n.status('a'), '{}', { timeout: 3_000 }), n.status('a'));
    await refused(jsB.publish(n.copy('a'), '{}', { timeout: 3_000 }), n.copy('a'));
    await subscriptionRefused(b, n.rpcTo('a'));
    await subscriptionRefused(b, '_INBOX.>');
    await subscriptionRefused(b, '_INBOX.a.>');
    await refused(jsmB.consumers.delete(n.stream, n.deliver('a')), `$JS.API.CONSUMER.DELETE.${n.stream}.${n.deliver('a')}`);
    await refused(jsmB.consumers.info(n.stream, n.deliver('a')), `$JS.API.CONSUMER.INFO.${n.stream}.${n.deliver('a')}`);
    await refused(
      jsmB.consumers.add(n.stream, { durable_name: n.deliver('b'), filter_subject: n.mailTo('a'), ack_policy: lib.jetstream.AckPolicy.Explicit }),
      `$JS.API.CONSUMER.CREATE.${n.stream}.${n.deliver('b')}.${n.mailTo('a')}`,
    );
    await refused(jsmB.streams.purge(n.stream), `$JS.API.STREAM.PURGE.${n.stream}`);
    await refused(kvB.put(n.agentKey('a', 'cmux', 'w1'), 'x', { timeout: 3_000 }), `$KV.${n.bucket}.${n.agentKey('a', 'cmux', 'w1')}`);
    await refused(kvB.put(n.hostKey('a'), 'x', { timeout: 3_000 }), `$KV.${n.bucket}.${n.hostKey('a')}`);
    await refused(kvB.delete(n.agentKey('a', 'cmux', 'w1')), `$KV.${n.bucket}.${n.agentKey('a', 'cmux', 'w1')}`);
    // Nor answer for A: a reply B forges into A's inbox (as if it had served A's request)
    // never reaches A.
    const forged = a.subscribe(`${n.inbox('a')}.forged`, { max: 1 });
    await a.flush();
    b.publish(`${n.inbox('a')}.forged`, 'from b');
    await b.flush();
    const first = async () => {
      for await (const m of forged) return m.string();
      return null;
    };
    const reached = await Promise.race([first(), sleep(1_500).then(() => null)]);
    assert.equal(reached, null, 'a reply forged by B reached A');
    forged.unsubscribe();
    assert.equal(b.isClosed(), false);
  });

  it('refuses a rollup header, which would wipe the whole registry with one put', async () => {
    const headers = lib.transport.headers();
    headers.set('Nats-Rollup', 'all');
    const kvA = await new lib.kv.Kvm(a).open(n.bucket, { allow_direct: true });
    const before = (await kvA.status()).values;
    assert.ok(before >= 2);
    await assert.rejects(lib.jetstream.jetstream(b).publish(`$KV.${n.bucket}.${n.agentKey('b', 'cmux', 'evil')}`, 'x', { headers, timeout: 3_000 }), /rollup/i);
    assert.equal((await kvA.status()).values, before);
  });
});
