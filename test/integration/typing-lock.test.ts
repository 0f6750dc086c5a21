import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openHistory, shellQuote } from '../../apps/core/src/index.ts';
import { apiClient } from '../helpers/api.ts';
import { createInstance, ROOT, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

// The router types messages in its process; an interrupt comes from the server's (or the CLI's).
// Both pass through the agent's one typing lock, so the interrupt waits for the paste and its
// Enter. Were it to land between them, the demo agent (idle then) would ignore the Escape and
// work the whole minute the message asks for.
describe('one typing queue per agent, across processes', { timeout: 300_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const record = () => join(cmux.base, 'demo.jsonl');
  const received = () => (existsSync(record()) ? readFileSync(record(), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text) : []);

  before(async () => {
    // Enter follows a message that shows in the input box after 1.5 s, not 50 ms: typing a paste
    // on the control connection takes a tenth of a second otherwise, a window in which a loaded
    // test process may never see `delivering`.
    cmux = await createInstance({ userConfig: 'agentKinds:\n  demo:\n    submitDelayMs: 1500\n' });
    api = apiClient(cmux);
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, String(start.stderr));
    const demo = await cmux.cli(['spawn', 'demo', '--command', `CMUX_DEMO_RECORD=${shellQuote(record())} ${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`]);
    assert.equal(demo.exitCode, 0, String(demo.stderr));
  });
  after(async () => cmux.cleanup());

  it('an interrupt sent while a long paste is typed lands after the paste and its Enter, never inside them', async () => {
    const first = 'sleep 60 and read this long paste';
    const text = [first, ...Array.from({ length: 4_000 }, (_, i) => `line ${String(i).padStart(4, '0')}: ${'the quick brown fox jumps over the lazy dog '.repeat(2)}`)].join('\n');
    const sent = await api.call<{ id: string }>('POST', '/api/agents/demo/message', { text });
    assert.equal(sent.status, 202);
    const history = openHistory(cmux.home);
    try {
      // The router notes `delivering` as it starts typing, holding the agent's typing lock.
      const deadline = Date.now() + 30_000;
      let status = history.get(sent.body.id)?.status;
      while (status !== 'delivering' && status !== 'delivered') {
        assert.ok(Date.now() < deadline, `the router never started typing ${sent.body.id}: ${status}`);
        await new Promise((r) => setTimeout(r, 2));
        status = history.get(sent.body.id)?.status;
      }
      assert.equal(status, 'delivering', 'the interrupt is sent while the paste is being typed');
      const interrupted = await api.call('POST', '/api/agents/demo/interrupt');
      assert.equal(interrupted.status, 202);
      await eventually(async () => history.get(sent.body.id)?.status, (s) => s === 'delivered', 30_000);
    } finally {
      history.close();
    }
    assert.deepEqual(received(), [text], 'the paste arrived whole, once, and was submitted');
    const screen = await eventually(
      async () => (await api.call<{ text: string }>('GET', '/api/agents/demo/terminal?lines=200')).body.text,
      (t) => t.includes('Interrupted by user'),
      20_000,
    );
    const lines = screen.split('\n');
    const submitted = lines.findIndex((l) => l.startsWith(`> ${first} (+4000 lines)`));
    assert.ok(submitted >= 0 && lines.findIndex((l) => l.includes('Interrupted by user')) > submitted, `the interrupt stopped the turn the paste began:\n${screen}`);
  });

  it('an interrupt goes ahead of a message that waits for the agent to be idle', async () => {
    const history = openHistory(cmux.home);
    const routerLog = () => readFileSync(join(cmux.home, 'logs', 'cmux-router.out.log'), 'utf8');
    const before = received().length;
    try {
      const busy = await api.call<{ id: string }>('POST', '/api/agents/demo/message', { text: 'sleep 60 and keep busy' });
      await eventually(async () => history.get(busy.body.id)?.status, (s) => s === 'delivered', 30_000);
      const waiting = await api.call<{ id: string }>('POST', '/api/agents/demo/message', { text: 'the message after the interrupt' });
      // The router has it and waits for the agent to be idle (up to router.busyWaitSeconds, 300 s).
      await eventually(async () => routerLog().includes(`queued ${waiting.body.id}`), Boolean, 30_000);
      assert.equal(history.get(waiting.body.id)?.status, 'queued');
      const started = Date.now();
      const interrupted = await cmux.cli(['interrupt', 'demo']);
      assert.equal(interrupted.exitCode, 0, String(interrupted.stderr));
      assert.ok(Date.now() - started < 20_000, `the interrupt waited ${Date.now() - started} ms`);
      await eventually(async () => history.get(waiting.body.id)?.status, (s) => s === 'delivered', 30_000);
    } finally {
      history.close();
    }
    assert.deepEqual(received().slice(before), ['sleep 60 and keep busy', 'the message after the interrupt']);
    const lines = (await api.call<{ text: string }>('GET', '/api/agents/demo/terminal?lines=60')).body.text.split('\n');
    const stopped = lines.findLastIndex((l) => l.includes('Interrupted by user'));
    assert.ok(stopped > lines.findLastIndex((l) => l.startsWith('> sleep 60 and keep busy')), lines.join('\n'));
    assert.ok(lines.findLastIndex((l) => l.startsWith('> the message after the interrupt')) > stopped, lines.join('\n'));
  });

  it('refuses an interrupt, a dialog answer or keys for an unknown agent with a 404 before its lock: no state/typing file for it', async () => {
    const typing = join(cmux.home, 'state', 'typing');
    const lockFiles = (id: string) => (existsSync(typing) ? readdirSync(typing).filter((f) => f.startsWith(id)) : []);
    for (const [path, body] of [
      ['/api/agents/ghost/interrupt', undefined],
      ['/api/agents/ghost/answer', { choice: 'y' }],
      ['/api/agents/ghost/keys', { keys: [{ key: 'Enter' }] }],
    ] as const) {
      const refused = await api.call<{ code: string }>('POST', path, body);
      assert.equal(refused.status, 404, path);
      assert.equal(refused.body.code, 'CMUX_ERR_AGENT_NOT_FOUND', path);
    }
    const cli = await cmux.cli(['interrupt', 'ghost-cli']);
    assert.notEqual(cli.exitCode, 0);
    assert.match(String(cli.stderr), /no agent "ghost-cli"/);
    assert.deepEqual(lockFiles('ghost'), []);
    assert.notDeepEqual(lockFiles('demo'), [], 'a known agent does have its lock files');
  });
});
