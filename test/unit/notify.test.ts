import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { APP_NAMES, buildEcosystem, loadConfig, type Logger } from '../../apps/core/src/index.ts';
import { attentionEvent, nextAttention } from '../../apps/server/notify/attention.ts';
import { createNotifier } from '../../apps/server/notify/notifier.ts';
import { createWebhookSender } from '../../apps/server/notify/webhook.ts';
import { ROOT } from '../helpers/instance.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { eventually } from '../helpers/tmux.ts';

// A logger that keeps its lines, to count what was said.
function recordingLogger(): Logger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const log = (level: string) => (message: string) => void lines.push([level, message]);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('what a status change tells the person', () => {
  it('waiting, a finished turn and an exit are events; other changes are not', () => {
    assert.equal(attentionEvent('busy', 'waiting'), 'waiting');
    assert.equal(attentionEvent('idle', 'waiting'), 'waiting');
    assert.equal(attentionEvent('busy', 'idle'), 'done');
    assert.equal(attentionEvent('idle', 'exited'), 'exited');
    assert.equal(attentionEvent('busy', 'missing'), null, 'a kill closes the window before it unregisters');
    assert.equal(attentionEvent('exited', 'missing'), null);
    assert.equal(attentionEvent('starting', 'idle'), null, 'a new agent showing its prompt has done nothing yet');
    assert.equal(attentionEvent('waiting', 'idle'), null);
    assert.equal(attentionEvent('idle', 'busy'), null);
  });

  it('keeps the mark until the agent moves on: working again or an answered dialog clears it', () => {
    const waiting = nextAttention(null, 'busy', 'waiting', 't1');
    assert.deepEqual(waiting, { event: 'waiting', since: 't1' });
    assert.equal(nextAttention(waiting, 'waiting', 'waiting', 't2'), waiting, 'no change, same mark');
    assert.equal(nextAttention(waiting, 'waiting', 'idle', 't2'), null);
    const done = nextAttention(null, 'busy', 'idle', 't3');
    assert.equal(nextAttention(done, 'idle', 'unknown', 't4'), done);
    assert.equal(nextAttention(done, 'idle', 'busy', 't4'), null);
  });
});

describe('the notify configuration', () => {
  it('takes http(s) URLs only, and never echoes a wrong one (it may hold a secret)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cx-notify-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'notify:\n  webhook:\n    url: "file:///etc/hooks.slack.com/T000/secret"\n');
      assert.throws(
        () => loadConfig({ env: { CMUX_HOME: dir, CMUX_CONFIG: join(dir, 'bad.yaml') }, cwd: dir }),
        (error: Error) => /notify\.webhook\.url in .*bad\.yaml: an http:\/\/ or https:\/\/ URL$/.test(error.message) && !error.message.includes('secret'),
      );
      writeFileSync(join(dir, 'events.yaml'), 'notify:\n  events: [waiting, lunch]\n');
      assert.throws(() => loadConfig({ env: { CMUX_HOME: dir, CMUX_CONFIG: join(dir, 'events.yaml') }, cwd: dir }), /notify\.events\.1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the notifier and its webhook', () => {
  // The defaults; each test swaps in its own notify section.
  const defaults = () => loadConfig({ env: { CMUX_HOME: '/tmp/cx-notify-unused' }, cwd: '/tmp' });

  it('posts {text, agent, event, status, previous, ts} at once, without waiting for the answer', async () => {
    const receiver = await startReceiver();
    const base = defaults();
    const notifier = createNotifier({ ...base, notify: { ...base.notify, webhook: { ...base.notify.webhook, url: receiver.url } } }, recordingLogger());
    try {
      // notify is synchronous: it answers before any byte of the delivery has gone out.
      assert.equal(notifier.notify({ agent: 'w1', event: 'waiting', status: 'waiting', previous: 'busy' }), true);
      assert.equal(receiver.received.length, 0, 'notify returns before the delivery');
      const [got] = await eventually(async () => receiver.received, (r) => r.length === 1);
      assert.equal(got!.body.text, 'cmux: w1 is waiting for your answer');
      assert.deepEqual({ ...got!.body, ts: 'x' }, { text: 'cmux: w1 is waiting for your answer', agent: 'w1', event: 'waiting', status: 'waiting', previous: 'busy', ts: 'x' });
    } finally {
      notifier.stop();
      await receiver.close();
    }
  });

  it('sends only the configured events, one per agent and event in the interval, and at most maxPerMinute', () => {
    const sent: Array<Record<string, unknown>> = [];
    const base = defaults();
    const notify = { ...base.notify, events: ['waiting', 'exited'] as const, minIntervalMs: 10_000, maxPerMinute: 3, webhook: { ...base.notify.webhook, url: 'http://127.0.0.1:9/x' } };
    const logger = recordingLogger();
    const notifier = createNotifier({ ...base, notify }, logger, { send: (p) => void sent.push(p), stop: () => undefined });
    const at = (agent: string, event: 'waiting' | 'done' | 'exited', now: number) => notifier.notify({ agent, event, status: 'idle', previous: 'busy' }, now);
    assert.equal(at('w1', 'done', 0), false, 'done is not configured');
    assert.equal(at('w1', 'waiting', 0), true);
    assert.equal(at('w1', 'waiting', 5_000), false, 'inside the interval');
    assert.equal(at('w1', 'exited', 5_000), true, 'another event of the same agent');
    assert.equal(at('w1', 'waiting', 10_000), true);
    assert.equal(at('w2', 'waiting', 11_000), false, 'the fourth in a minute');
    assert.equal(at('w3', 'waiting', 12_000), false);
    assert.equal(logger.lines.filter(([level]) => level === 'warn').length, 1, 'the cap is logged once');
    assert.equal(at('w2', 'waiting', 61_000), true, 'a new minute');
    assert.equal(sent.length, 4);
  });

  it('delivers from a process run with the server app\'s own V8 flags (its lite mode has no WebAssembly, which fetch needs)', async () => {
    const receiver = await startReceiver();
    try {
      const app = buildEcosystem(defaults()).apps.find((a) => a.name === APP_NAMES.server)!;
      const sender = pathToFileURL(join(ROOT, 'dist', 'apps', 'server', 'notify', 'webhook.js')).href;
      const script = [
        `const { createWebhookSender } = await import(${JSON.stringify(sender)});`,
        'const say = (m) => console.error(m);',
        `createWebhookSender({ url: ${JSON.stringify(receiver.url)}, timeoutMs: 10000, retries: 0 }, { debug: say, info: say, warn: say, error: say }).send({ text: 'from the server flags' });`,
      ].join('\n');
      const run = await execa(process.execPath, [...app.node_args, '--input-type=module', '-e', script], { reject: false, timeout: 30_000 });
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(run.stderr, '', 'nothing was logged: the delivery worked at the first attempt');
      assert.deepEqual(receiver.received.map((r) => r.body), [{ text: 'from the server flags' }]);
    } finally {
      await receiver.close();
    }
  });

  it('retries a failing webhook with backoff, logs a failing one once, and once more when it works again', async () => {
    const flaky = await startReceiver((n) => (n < 2 ? 503 : 200));
    const logger = recordingLogger();
    const sender = createWebhookSender({ url: flaky.url, timeoutMs: 2_000, retries: 3 }, logger);
    const started = Date.now();
    sender.send({ text: 'one' });
    await eventually(async () => flaky.received, (r) => r.length === 1, 15_000);
    assert.ok(Date.now() - started >= 3_000, 'waited 1 s, then 2 s, before the third attempt');
    assert.deepEqual(logger.lines, [], 'a retry that works is not worth a line');
    sender.stop();
    await flaky.close();

    let failing = true;
    const down = await startReceiver(() => (failing ? 500 : 200));
    const quiet = recordingLogger();
    const once = createWebhookSender({ url: down.url, timeoutMs: 2_000, retries: 0 }, quiet);
    for (let i = 0; i < 3; i++) once.send({ text: `try ${i}` });
    await eventually(async () => down.attempts, (n) => n === 3);
    failing = false;
    once.send({ text: 'back' });
    await eventually(async () => down.received.length, (n) => n === 1);
    await eventually(async () => quiet.lines.length, (n) => n === 2);
    assert.equal(quiet.lines.filter(([level]) => level === 'warn').length, 1);
    assert.match(quiet.lines[0]![1], /the notification webhook at 127\.0\.0\.1:\d+ fails \(HTTP 500\)/);
    assert.doesNotMatch(quiet.lines[0]![1], /\/hook/, 'the URL path (which may hold a secret) is not logged');
    assert.deepEqual(quiet.lines[1], ['info', 'the notification webhook works again']);
    once.stop();
    await down.close();
  });
});
