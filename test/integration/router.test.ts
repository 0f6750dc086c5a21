import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appendMessage, createTmuxClient, isAlive, openHistory, setHold, shellQuote } from '../../apps/core/src/index.ts';
import { formatMark, markScreen } from '../../apps/agents/screen-mark.ts';
import { apiClient } from '../helpers/api.ts';
import { createInstance, ROOT, type TestInstance } from '../helpers/instance.ts';
import { appendLoad, storedMessages } from '../helpers/load.ts';
import { eventually } from '../helpers/tmux.ts';
import { plantUsageLedger } from '../helpers/usage-ledger.ts';
import { fakeUsage } from '../fakes/anthropic-api.ts';

// What the demo agent spent today, as planted in the usage ledger: the Anthropic fake's first
// answer 10 000 times over, at claude-sonnet-4's list prices ($3 input, $15 output, $0.30 cache
// read, $3.75 cache write a million).
const ANSWERS = 10_000;
const ANSWER = fakeUsage(1);
const DEMO_SPENT = (ANSWERS * (ANSWER.input * 3 + ANSWER.output * 15 + ANSWER.cacheRead * 0.3 + ANSWER.cacheWrite * 3.75)) / 1e6;

const SENDERS = Array.from({ length: 8 }, (_, i) => `loader-${i}`);
const PER_SENDER = 500;

function assertExactlyOnceInOrder(home: string, senders: readonly string[], count: number): void {
  const stored = storedMessages(home).filter((m) => senders.includes(m.from));
  assert.equal(stored.length, senders.length * count, 'each message stored once');
  assert.equal(new Set(stored.map((m) => m.id)).size, stored.length);
  for (const sender of senders) {
    const subjects = stored.filter((m) => m.from === sender).map((m) => m.subject);
    assert.deepEqual(subjects, Array.from({ length: count }, (_, i) => `${sender} ${String(i).padStart(5, '0')}`), `order of ${sender}`);
  }
}

async function routerPid(cmux: TestInstance): Promise<number | null> {
  const status = JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; pid: number | null; status: string }> };
  const router = status.apps.find((a) => a.name === 'cmux-router')!;
  return router.status === 'online' ? router.pid : null;
}

describe('the mailbox and the router', { timeout: 600_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const catFile = () => join(cmux.base, 'cat.out');
  const demoRecord = () => join(cmux.base, 'demo.jsonl');
  const readDemoRecord = () => (existsSync(demoRecord()) ? readFileSync(demoRecord(), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text) : []);

  before(async () => {
    cmux = await createInstance({ userConfig: 'router:\n  unknownRecipientSeconds: 2\n  busyWaitSeconds: 2\n  holdMarginSeconds: 1\nwebhooks:\n  sources:\n    github: { secret: "hook-secret-123" }\n' });
    api = apiClient(cmux);
    plantUsageLedger(cmux.home, [{ agent: 'demo', model: 'claude-sonnet-4-5', calls: ANSWERS, input: ANSWER.input * ANSWERS, output: ANSWER.output * ANSWERS, cacheRead: ANSWER.cacheRead * ANSWERS, cacheWrite: ANSWER.cacheWrite * ANSWERS }]);
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, String(start.stderr));
    const cat = await cmux.cli(['spawn', 'catter', '--command', `cat > ${shellQuote(catFile())}`]);
    assert.equal(cat.exitCode, 0, String(cat.stderr));
    const demo = await cmux.cli(['spawn', 'demo', '--command', `CMUX_DEMO_RECORD=${shellQuote(demoRecord())} ${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`]);
    assert.equal(demo.exitCode, 0, String(demo.stderr));
  });
  after(async () => cmux.cleanup());

  it('stores 8 × 500 messages appended at full speed exactly once, in order per sender', async () => {
    await appendLoad(cmux.home, SENDERS, 'user', PER_SENDER);
    const lines = readFileSync(join(cmux.home, 'mailbox.jsonl'), 'utf8').split('\n').filter(Boolean);
    const loaded = lines.map((line) => JSON.parse(line) as { from: string }).filter((m) => SENDERS.includes(m.from));
    assert.equal(loaded.length, SENDERS.length * PER_SENDER, 'every line whole: none torn, none interleaved');
    await eventually(async () => storedMessages(cmux.home).filter((m) => SENDERS.includes(m.from)).length, (n) => n >= SENDERS.length * PER_SENDER, 30_000);
    assertExactlyOnceInOrder(cmux.home, SENDERS, PER_SENDER);
  });

  it('delivers to the demo agent and to cat in order and byte-exact', async () => {
    const texts = [
      'first: plain',
      'second: "quotes" $VAR `tick` ünï',
      'third:\n  two lines\n\twith a tab',
      '/fourth looks like a command',
      'fifth',
    ];
    const catBefore = existsSync(catFile()) ? readFileSync(catFile(), 'utf8') : '';
    const recordBefore = readDemoRecord().length;
    for (const text of texts) {
      assert.equal((await api.call('POST', '/api/agents/catter/message', { text })).status, 202);
      assert.equal((await api.call('POST', '/api/agents/demo/message', { text })).status, 202);
    }
    const expectedCat = texts.map((t) => `${t}\n`).join('');
    const cat = () => (existsSync(catFile()) ? readFileSync(catFile(), 'utf8') : '').slice(catBefore.length);
    assert.equal(await eventually(async () => cat(), (t) => t.length >= expectedCat.length, 30_000), expectedCat);
    const record = await eventually(async () => readDemoRecord().slice(recordBefore), (r) => r.length >= texts.length, 30_000);
    assert.deepEqual(record, texts);
  });

  it('queues a message the same through the API and the CLI: the text kept whole as its body, /compact too', async () => {
    const queued = (id: string) => {
      const lines = readFileSync(join(cmux.home, 'mailbox.jsonl'), 'utf8').split('\n').filter(Boolean);
      const found = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((m) => m.id === id);
      assert.ok(found, `message ${id} is in the mailbox`);
      const { id: _id, ts: _ts, ...rest } = found;
      return rest;
    };
    const ids: string[] = [];
    for (const [text, route, command] of [
      ['short words, either door', 'message', ['send', 'catter', 'short words, either door']],
      ['/compact', 'compact', ['compact', 'catter']],
    ] as const) {
      const viaApi = await api.call<{ id: string }>('POST', `/api/agents/catter/${route}`, route === 'message' ? { text } : undefined);
      assert.equal(viaApi.status, 202);
      const viaCli = await cmux.cli([...command, '--no-wait']);
      assert.equal(viaCli.exitCode, 0, String(viaCli.stderr));
      const cliId = /queued (\S+) for catter/.exec(String(viaCli.stdout))?.[1];
      assert.ok(cliId, String(viaCli.stdout));
      assert.deepEqual(queued(cliId), { from: 'user', to: 'catter', subject: text, body: text });
      assert.deepEqual(queued(viaApi.body.id), queued(cliId));
      ids.push(viaApi.body.id, cliId);
    }
    const history = openHistory(cmux.home);
    try {
      await eventually(async () => ids.map((id) => history.get(id)?.status), (s) => s.every((x) => x === 'delivered'), 30_000);
    } finally {
      history.close();
    }
  });

  it('lets an agent answer through the mailbox (the demo agent runs `cmux mail send`)', async () => {
    assert.equal((await api.call('POST', '/api/agents/demo/message', { text: 'all done? reply to user: the parser is fixed' })).status, 202);
    const reply = await eventually(async () => storedMessages(cmux.home).find((m) => m.from === 'demo' && m.to === 'user'), Boolean, 30_000);
    assert.equal(reply!.subject, 'the parser is fixed');
    assert.equal(reply!.status, 'delivered');
  });

  it('keeps exactly-once while the router is SIGKILLed five times under load', async () => {
    const senders = SENDERS.map((s) => `${s}-k`);
    const catBefore = readFileSync(catFile(), 'utf8');
    const catMessages = Array.from({ length: 60 }, (_, i) => `kill-test line ${String(i).padStart(3, '0')}`);
    const load = appendLoad(cmux.home, senders, 'user', PER_SENDER);
    const toCat = (async () => {
      for (const text of catMessages) await appendMessage(cmux.home, { from: 'user', to: 'catter', subject: text });
    })();
    for (let kill = 0; kill < 5; kill++) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
      const pid = await eventually(() => routerPid(cmux), (p) => p !== null, 20_000);
      process.kill(pid!, 'SIGKILL');
      await eventually(async () => isAlive(pid!), (alive) => !alive, 5_000);
    }
    await Promise.all([load, toCat]);
    await eventually(async () => storedMessages(cmux.home).filter((m) => senders.includes(m.from)).length, (n) => n >= senders.length * PER_SENDER, 60_000);
    assertExactlyOnceInOrder(cmux.home, senders, PER_SENDER);
    const expected = catMessages.map((t) => `${t}\n`).join('');
    const cat = await eventually(async () => readFileSync(catFile(), 'utf8').slice(catBefore.length), (t) => t.length >= expected.length, 60_000);
    assert.equal(cat, expected, 'every message to the cat agent typed once, in order');
  });

  it('recovers a message the router was typing when it was SIGKILLed: typed once, a short and a repeated text too', async () => {
    const history = openHistory(cmux.home);
    const tmux = createTmuxClient({ socket: { kind: 'path', path: cmux.socket }, configFile: join(ROOT, 'config', 'tmux.conf'), timeoutMs: 5_000 });
    const typed = (text: string) => readDemoRecord().filter((t) => t === text).length;
    // How many copies of each text were sent: each must be typed once.
    const copies = new Map<string, number>();
    const send = (text: string) => {
      copies.set(text, (copies.get(text) ?? 0) + 1);
      return appendMessage(cmux.home, { from: 'user', to: 'demo', subject: text });
    };
    const routerLog = () => readFileSync(join(cmux.home, 'logs', 'cmux-router.out.log'), 'utf8');
    const killRouter = async (pid: number) => {
      process.kill(pid, 'SIGKILL');
      await eventually(async () => isAlive(pid), (alive) => !alive, 5_000);
    };
    const nextRouter = (pid: number) => eventually(() => routerPid(cmux), (p) => p !== null && p !== pid, 60_000);
    // Sends `text` and kills the router after the agent got it but before the router recorded
    // it delivered; tries again with a new copy when the kill comes too late.
    const killAfterTyping = async (text: string): Promise<string> => {
      for (let attempt = 1; ; attempt++) {
        const before = typed(text);
        const pid = (await eventually(() => routerPid(cmux), (p) => p !== null, 30_000))!;
        const message = await send(text);
        const deadline = Date.now() + 30_000;
        let status = history.get(message.id)?.status;
        while (!(status === 'delivered' || (status === 'delivering' && typed(text) > before))) {
          assert.ok(Date.now() < deadline, `${message.id} never got to the agent`);
          await new Promise((r) => setTimeout(r, 3));
          status = history.get(message.id)?.status;
        }
        if (status === 'delivering') {
          await killRouter(pid);
          // The router may have recorded it delivered between the look above and the kill: then
          // the kill came too late, and the next router has nothing to recover.
          const late = history.get(message.id)?.status === 'delivered';
          await nextRouter(pid);
          if (!late) {
            await eventually(async () => history.get(message.id)?.status, (s) => s === 'delivered', 60_000);
            assert.match(routerLog(), new RegExp(`delivered ${message.id} user -> demo \\(recovered: it was on screen\\)`));
            return message.id;
          }
        }
        assert.ok(attempt < 8, `the kill never landed while ${JSON.stringify(text)} was delivering`);
      }
    };
    try {
      await send('repeat me, please');
      await eventually(async () => typed('repeat me, please'), (n) => n === 1, 30_000);
      await killAfterTyping('ok');
      await killAfterTyping('repeat me, please');

      // The router dies right after it marked a message delivering, before it typed it: a
      // copy of the same text is on screen already, and a short text is among them.
      const pid = (await eventually(() => routerPid(cmux), (p) => p !== null, 30_000))!;
      process.kill(pid, 'SIGSTOP');
      const windowId = (await api.call<{ windowId: string }>('GET', '/api/agents/demo')).body.windowId;
      const pending = [];
      for (const text of ['repeat me, please', 'hi']) {
        const message = await send(text);
        history.insertMany([{ message, status: 'delivering' }]);
        history.setStatus(message.id, 'delivering', formatMark(await markScreen(tmux, windowId, text)));
        pending.push(message.id);
      }
      await killRouter(pid);
      await nextRouter(pid);
      for (const id of pending) await eventually(async () => history.get(id)?.status, (s) => s === 'delivered', 60_000);
      // A last message typed after them: nothing of theirs can still be on its way.
      await appendMessage(cmux.home, { from: 'user', to: 'demo', subject: 'after the recovery' });
      await eventually(async () => typed('after the recovery'), (n) => n === 1, 30_000);
      const counts = Object.fromEntries([...copies.keys()].map((t) => [t, typed(t)]));
      assert.deepEqual(counts, Object.fromEntries(copies), 'every copy typed exactly once');
      for (const id of pending) assert.doesNotMatch(routerLog(), new RegExp(`${id} .*recovered`), 'not on screen: typed, not counted as recovered');
    } finally {
      history.close();
    }
  });

  it('dead-letters a malformed line, a 10 MB line, binary junk and an unknown recipient, tells the supervisor, and goes on', async () => {
    const mailbox = join(cmux.home, 'mailbox.jsonl');
    appendFileSync(mailbox, '{"this is": not json\n');
    appendFileSync(mailbox, `${JSON.stringify({ id: 'big', ts: new Date().toISOString(), from: 'user', to: 'user', subject: 'x'.repeat(10 * 1024 * 1024) })}\n`);
    appendFileSync(mailbox, Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]), Buffer.from('\n')]));
    appendFileSync(mailbox, `${JSON.stringify({ id: 'no-to', ts: new Date().toISOString(), from: 'user', subject: 'x' })}\n`);
    const ghost = await appendMessage(cmux.home, { from: 'user', to: 'ghost-agent', subject: 'are you there?' });
    const after = await appendMessage(cmux.home, { from: 'user', to: 'user', subject: 'still flowing' });

    const deadFile = join(cmux.home, 'mailbox.dead.jsonl');
    const dead = await eventually(
      async () => (existsSync(deadFile) ? readFileSync(deadFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string; id?: string; bytes: number }) : []),
      (d) => d.some((l) => l.id === ghost.id),
      30_000,
    );
    const reasons = dead.map((d) => d.reason);
    assert.equal(reasons.filter((r) => r === 'not JSON').length, 2, `the malformed line and the junk: ${reasons.join(' | ')}`);
    assert.ok(reasons.some((r) => /^line of \d+ bytes is longer than/.test(r)));
    assert.ok(reasons.some((r) => /^not a message: to:/.test(r)));
    assert.match(dead.find((d) => d.id === ghost.id)!.reason, /no live agent ghost-agent within 2 s/);
    assert.equal(storedMessages(cmux.home).find((m) => m.id === after.id)?.status, 'delivered');
    const alert = await eventually(
      async () => storedMessages(cmux.home).find((m) => m.from === 'system:router' && m.to === 'supervisor' && (m.body ?? '').includes('ghost-agent')),
      (m) => m?.status === 'delivered',
      30_000,
    );
    assert.match(alert!.subject, /^\[DEAD LETTER\] \d+ message\(s\) could not be delivered$/);
    assert.match(alert!.body!, /mailbox\.dead\.jsonl/);
    const screen = (await api.call<{ text: string }>('GET', '/api/agents/supervisor/terminal?lines=200')).body.text;
    assert.match(screen, /> \[system:router\] \[DEAD LETTER\]/, 'the supervisor was told');
  });

  it('tells the supervisor of a dead letter even when the router dies within the alert\'s 2 s batch', async () => {
    const mailbox = join(cmux.home, 'mailbox.jsonl');
    const deadFile = join(cmux.home, 'mailbox.dead.jsonl');
    const alertsAbout = (id: string) => storedMessages(cmux.home).filter((m) => m.from === 'system:router' && (m.body ?? '').includes(id));
    for (let attempt = 1; ; attempt++) {
      const id = `lost-alert-${attempt}-${Date.now()}`;
      const pid = (await eventually(() => routerPid(cmux), (p) => p !== null, 30_000))!;
      // Addressed to a webhook, which takes no messages: dead at once.
      appendFileSync(mailbox, `${JSON.stringify({ id, ts: new Date().toISOString(), from: 'user', to: 'webhook:ci', subject: 'undeliverable' })}\n`);
      while (!(existsSync(deadFile) && readFileSync(deadFile, 'utf8').includes(id))) await new Promise((r) => setTimeout(r, 3));
      process.kill(pid, 'SIGKILL');
      await eventually(async () => isAlive(pid), (alive) => !alive, 5_000);
      if (alertsAbout(id).length === 0 && !readFileSync(mailbox, 'utf8').includes(`${id} user`)) {
        const alert = await eventually(async () => alertsAbout(id), (list) => list.length > 0, 60_000);
        assert.equal(alert.length, 1, 'told once');
        assert.match(alert[0]!.body!, new RegExp(`- ${id} user → webhook:ci: webhook:ci takes no messages`));
        return;
      }
      assert.ok(attempt < 5, 'the kill never landed within the batch window');
    }
  });

  it('reads the whole mailbox again after a corrupt cursor and delivers nothing twice', async () => {
    const text = `before the corrupt cursor ${Date.now()}`;
    await appendMessage(cmux.home, { from: 'user', to: 'demo', subject: text });
    await eventually(async () => readDemoRecord().filter((t) => t === text).length, (n) => n === 1, 30_000);
    const recordBefore = readDemoRecord().length;
    const pid = (await eventually(() => routerPid(cmux), (p) => p !== null, 30_000))!;
    // Stopped first, so it cannot save a good cursor over the bad one before it dies.
    process.kill(pid, 'SIGSTOP');
    writeFileSync(join(cmux.home, 'state', 'router.json'), '{"inode": 12, "off');
    process.kill(pid, 'SIGKILL');
    await eventually(() => routerPid(cmux), (p) => p !== null && p !== pid, 60_000);
    await eventually(async () => readFileSync(join(cmux.home, 'logs', 'cmux-router.err.log'), 'utf8'), (log) => log.includes('is unreadable; reading the mailbox from the start'), 30_000);
    const after = await appendMessage(cmux.home, { from: 'user', to: 'demo', subject: `after the corrupt cursor ${Date.now()}` });
    await eventually(async () => readDemoRecord().includes(after.subject), Boolean, 60_000);
    assert.deepEqual(readDemoRecord().slice(recordBefore), [after.subject], 'only the new message was typed');
  });

  it('types into an agent busy longer than router.busyWaitSeconds anyway, and says so', async () => {
    const work = await appendMessage(cmux.home, { from: 'user', to: 'demo', subject: 'sleep 8' });
    await eventually(async () => readDemoRecord().includes('sleep 8'), Boolean, 30_000);
    const next = await appendMessage(cmux.home, { from: 'user', to: 'demo', subject: 'typed while it works' });
    const delivered = await eventually(async () => storedMessages(cmux.home).find((m) => m.id === next.id), (m) => m?.status === 'delivered', 30_000);
    const workTyped = Date.parse(storedMessages(cmux.home).find((m) => m.id === work.id)!.deliveredAt!);
    assert.ok(Date.parse(delivered!.deliveredAt!) - workTyped < 8_000, 'typed before the agent was idle again');
    assert.match(readFileSync(join(cmux.home, 'logs', 'cmux-router.err.log'), 'utf8'), new RegExp(`WARN \\[cmux-router\\] typing ${next.id} into demo after waiting 2 s for it to be idle`));
    // The demo agent queues it and takes it once the work is done: once.
    await eventually(async () => readDemoRecord().filter((t) => t === 'typed while it works').length, (n) => n === 1, 30_000);
  });

  it('dead-letters a message typed into an agent that never takes Enter, and tells the supervisor', async () => {
    const spawned = await cmux.cli(['spawn', 'deaf', '--command', `${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'test/fixtures/demo-agent-deaf.mjs'))}`]);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    const message = await appendMessage(cmux.home, { from: 'user', to: 'deaf', subject: 'can you hear me' });
    const dead = await eventually(async () => storedMessages(cmux.home).find((m) => m.id === message.id), (m) => m?.status === 'dead', 60_000);
    assert.match(dead!.detail ?? '', /^typed into deaf but not submitted after 4 Enter presses; it is still in its input box$/);
    const deadFile = readFileSync(join(cmux.home, 'mailbox.dead.jsonl'), 'utf8');
    assert.ok(deadFile.includes(`"id":"${message.id}"`), 'in the dead-letter file');
    await eventually(async () => storedMessages(cmux.home).filter((m) => m.from === 'system:router' && (m.body ?? '').includes(message.id)).length, (n) => n === 1, 30_000);
    const screen = (await api.call<{ text: string }>('GET', '/api/agents/deaf/terminal?lines=20')).body.text;
    assert.equal(screen.split('can you hear me').length - 1, 1, 'typed once, never again');
  });

  it('parks messages to a held agent in order with the reason, never dead-letters them, delivers to others meanwhile, survives a router restart and types each once when the hold lifts', async () => {
    const stamp = Date.now();
    const recordBefore = readDemoRecord().length;
    await setHold(cmux.home, 'test', 'demo', { reason: 'a test hold' });
    const held: Array<Awaited<ReturnType<typeof appendMessage>>> = [];
    for (let i = 0; i < 3; i++) held.push(await appendMessage(cmux.home, { from: 'user', to: 'demo', subject: `held ${i} ${stamp}` }));
    const other = await appendMessage(cmux.home, { from: 'user', to: 'catter', subject: `not held ${stamp}` });
    const stored = (id: string) => storedMessages(cmux.home).find((m) => m.id === id);
    await eventually(async () => stored(other.id)?.status, (s) => s === 'delivered', 30_000);
    const parked = /^held \(test\): a test hold; the message follows when that is cleared$/;
    await eventually(async () => held.map((m) => stored(m.id)), (all) => all.every((m) => m?.status === 'queued' && parked.test(m.detail ?? '')), 30_000);
    // Longer than busyWaitSeconds and unknownRecipientSeconds (2 s each), through a router restart.
    const pid = (await eventually(() => routerPid(cmux), (p) => p !== null, 30_000))!;
    process.kill(pid, 'SIGKILL');
    await eventually(() => routerPid(cmux), (p) => p !== null && p !== pid, 60_000);
    await eventually(async () => readFileSync(join(cmux.home, 'logs', 'cmux-router.out.log'), 'utf8'), (log) => log.split(`held ${held[2]!.id} user -> demo`).length === 3, 30_000);
    assert.deepEqual(held.map((m) => stored(m.id)!.status), ['queued', 'queued', 'queued'], 'still parked, none dead');
    assert.deepEqual(readDemoRecord().slice(recordBefore), [], 'nothing typed while held');
    // A hold with an end: the reason changes, and delivery resumes after it (plus the 1 s margin).
    const until = new Date(Date.now() + 3_000);
    await setHold(cmux.home, 'test', 'demo', { reason: 'another reason', until });
    await eventually(async () => stored(held[0]!.id)?.detail ?? '', (d) => d === `held (test): another reason; the message follows at ${new Date(until.getTime() + 1_000).toISOString()}`, 30_000);
    const record = await eventually(async () => readDemoRecord().slice(recordBefore), (r) => r.length >= 3, 60_000);
    assert.deepEqual(record, held.map((m) => m.subject), 'in order, each once');
    for (const m of held) assert.ok(Date.parse(stored(m.id)!.deliveredAt!) >= until.getTime() + 1_000, `not before the end plus the margin: ${stored(m.id)!.deliveredAt} < ${new Date(until.getTime() + 1_000).toISOString()}`);
    assert.equal(stored(held[2]!.id)!.detail, null);
    const deadFile = join(cmux.home, 'mailbox.dead.jsonl');
    assert.ok(!existsSync(deadFile) || !readFileSync(deadFile, 'utf8').includes(held[0]!.id), 'never dead-lettered');
    await setHold(cmux.home, 'test', 'demo', null);
  });

  it('holds nothing on a holds file that does not parse, and says so', async () => {
    writeFileSync(join(cmux.home, 'state', 'holds.json'), '{"holds": {"test": {"demo": {"reason": 7');
    const message = await appendMessage(cmux.home, { from: 'user', to: 'demo', subject: `past a torn holds file ${Date.now()}` });
    await eventually(async () => readDemoRecord().includes(message.subject), Boolean, 30_000);
    assert.match(readFileSync(join(cmux.home, 'logs', 'cmux-router.err.log'), 'utf8'), /holds\.json is not a holds file \(.*\); nothing is held until it is written again/);
    await setHold(cmux.home, 'test', 'demo', null);
  });

  it('holds messages to a project whose daily budget is spent, with an alert naming it, and types each once, in order, when the budget is raised', async () => {
    const budgets = async (...args: string[]) => {
      const run = await cmux.cli(['budget', ...args]);
      assert.equal(run.exitCode, 0, String(run.stderr));
      return String(run.stdout);
    };
    try {
      const state = JSON.parse(await budgets('set', 'default', String(Math.floor(DEMO_SPENT * 90) / 100), '--json')) as { lines: Array<{ name: string; spentUsd: number; reached: boolean }> };
      const line = state.lines.find((l) => l.name === 'default')!;
      assert.ok(Math.abs(line.spentUsd - DEMO_SPENT) < 1e-9, `spent ${line.spentUsd}: the fake's tokens priced ${DEMO_SPENT}`);
      assert.equal(line.reached, true);
      assert.match(await budgets(), /^default .* reached: messages to its agents are held$/m);
      const alerts = (await api.call<Array<{ source: string; title: string }>>('GET', '/api/alerts')).body.filter((a) => a.source === 'budgets');
      assert.deepEqual(alerts.map((a) => a.title.replace(/\$[\d.]+ of \$[\d.]+ \(\d+ %\)/, '…')), ['budget default reached: … today; messages to its agents are held'], 'one alert, the 100 % one, naming the budget');

      const stamp = Date.now();
      const recordBefore = readDemoRecord().length;
      const texts = [0, 1, 2].map((i) => `over budget ${i} ${stamp}`);
      for (const text of texts) assert.equal((await api.call('POST', '/api/agents/demo/message', { text })).status, 202);
      const held = () => storedMessages(cmux.home).filter((m) => texts.includes(m.body ?? ''));
      await eventually(async () => held(), (list) => list.length === 3 && list.every((m) => m.status === 'queued' && /^held \(budget\): budget default reached: .*; held until .* or until it is raised \(cmux budget set default <amount>\)/.test(m.detail ?? '')), 30_000);
      assert.deepEqual(readDemoRecord().slice(recordBefore), [], 'nothing typed while held');

      await budgets('set', 'default', String(Math.ceil(DEMO_SPENT * 2)));
      const record = await eventually(async () => readDemoRecord().slice(recordBefore), (r) => r.length >= 3, 60_000);
      assert.deepEqual(record, texts, 'each typed once, in order');
      assert.equal((await api.call<Array<{ source: string }>>('GET', '/api/alerts')).body.filter((a) => a.source === 'budgets').length, 1, 'a budget raised over the spend alerts no more');

      const unknown = await cmux.cli(['budget', 'set', 'nope', '5']);
      assert.notEqual(unknown.exitCode, 0);
      assert.match(String(unknown.stderr), /no project named nope: see `cmux project list`/);
    } finally {
      await budgets('set', 'default', 'none');
    }
  });

  it('notices a truncated and a replaced mailbox and keeps delivering', async () => {
    const mailbox = join(cmux.home, 'mailbox.jsonl');
    truncateSync(mailbox, 0);
    const one = await appendMessage(cmux.home, { from: 'user', to: 'user', subject: 'after truncation' });
    await eventually(async () => storedMessages(cmux.home).some((m) => m.id === one.id), Boolean, 10_000);
    renameSync(mailbox, `${mailbox}.rotated`);
    const two = await appendMessage(cmux.home, { from: 'user', to: 'user', subject: 'after replacement' });
    await eventually(async () => storedMessages(cmux.home).some((m) => m.id === two.id), Boolean, 10_000);
  });

  it('pages the history newest first, by agent, and refuses bad queries', async () => {
    const mine = await Promise.all([1, 2, 3].map((n) => appendMessage(cmux.home, { from: 'user', to: 'catter', subject: `paged ${n}` })));
    await eventually(async () => storedMessages(cmux.home).filter((m) => mine.some((x) => x.id === m.id)).length, (n) => n === 3, 10_000);
    const page = (await api.call<Array<{ seq: number; to: string; from: string }>>('GET', '/api/messages?limit=3')).body;
    assert.equal(page.length, 3);
    assert.ok(page[0]!.seq > page[1]!.seq && page[1]!.seq > page[2]!.seq);
    const older = (await api.call<Array<{ seq: number }>>('GET', `/api/messages?limit=3&before=${page[2]!.seq}`)).body;
    assert.ok(older.every((m) => m.seq < page[2]!.seq));
    const catter = (await api.call<Array<{ id: string; to: string; from: string }>>('GET', '/api/messages?agent=catter&limit=500')).body;
    assert.ok(mine.every((m) => catter.some((c) => c.id === m.id)) && catter.every((m) => m.to === 'catter' || m.from === 'catter'));
    for (const query of ['limit=0', 'limit=abc', 'limit=100000', 'before=-1', 'agent=../x', 'agent=a%20b']) {
      assert.equal((await api.call('GET', `/api/messages?${query}`)).status, 400, query);
    }
    const posted = await api.call<{ id: string }>('POST', '/api/messages', { to: 'user', subject: 'from the API', body: 'hello' });
    assert.equal(posted.status, 202);
    await eventually(async () => storedMessages(cmux.home).find((m) => m.id === posted.body.id)?.status, (s) => s === 'delivered', 10_000);
    for (const body of [{ to: '../x', subject: 's' }, { to: 'user' }, { to: 'user', subject: '' }, { to: 'user', subject: 's', from: 'a b' }, { to: 'user', subject: 's', extra: 1 }]) {
      assert.equal((await api.call('POST', '/api/messages', body)).status, 400, JSON.stringify(body));
    }
  });
});
