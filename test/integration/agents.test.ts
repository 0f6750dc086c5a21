import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import WebSocket from 'ws';
import { apiClient } from '../helpers/api.ts';
import { createInstance, processesMentioning, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';
import { wsRecorder } from '../helpers/ws-recorder.ts';

interface Agent {
  id: string;
  name: string;
  window: string;
  windowId: string;
  status: string;
  role: string;
}

describe('agents in the real ecosystem, with the demo agent', { timeout: 300_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const tmux = (...args: string[]) => execa('tmux', ['-S', cmux.socket, ...args], { timeout: 5_000 });
  const agents = async () => (await api.call<Agent[]>('GET', '/api/agents')).body;
  const statusOf = async (id: string) => (await agents()).find((a) => a.id === id)?.status;
  const waitStatus = (id: string, status: string, timeoutMs = 15_000) => eventually(() => statusOf(id), (s) => s === status, timeoutMs);
  const registryKeys = () => Object.keys((parseYaml(readFileSync(join(cmux.home, 'agents.yaml'), 'utf8')) as { agents: object }).agents).sort();

  before(async () => {
    cmux = await createInstance();
    api = apiClient(cmux);
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, String(start.stderr));
    assert.match(String(start.stdout), /claude is not on PATH: agents run the bundled demo agent/);
    assert.match(String(start.stdout), /the supervisor is ready/);
  });
  after(async () => cmux.cleanup());

  it('lists exactly the spawned workers and the supervisor, never a window opened by hand', async () => {
    for (const name of ['api-1', 'api-2']) {
      const spawned = await api.call<Agent>('POST', '/api/agents', { name, task: `hello ${name}` });
      assert.equal(spawned.status, 201, JSON.stringify(spawned.body));
      assert.equal(spawned.body.name, name);
      assert.match(spawned.body.windowId, /^@\d+$/);
    }
    const cli = await cmux.cli(['spawn', 'cli-1', '--task', 'hello from the CLI']);
    assert.equal(cli.exitCode, 0, String(cli.stderr));
    assert.match(String(cli.stdout), /cli-1 is ready\ntask delivered \(message /);
    await tmux('new-window', '-d', '-t', 'cmux:', '-n', 'by-hand', 'cat');

    const listed = await agents();
    assert.deepEqual(listed.map((a) => a.id).sort(), ['api-1', 'api-2', 'cli-1', 'supervisor']);
    assert.equal(listed.find((a) => a.id === 'supervisor')?.role, 'supervisor');
    assert.deepEqual(registryKeys(), ['api-1', 'api-2', 'cli-1', 'supervisor']);
    const cliList = JSON.parse(String((await cmux.cli(['agents', '--json'])).stdout)) as Agent[];
    assert.deepEqual(cliList.map((a) => a.id).sort(), ['api-1', 'api-2', 'cli-1', 'supervisor']);
    for (const id of ['api-1', 'api-2', 'cli-1']) await waitStatus(id, 'idle');
  });

  it('delivers the task once the agent shows its prompt, after the worker preamble', async () => {
    const text = await eventually(async () => (await api.call<{ text: string }>('GET', '/api/agents/api-1/terminal?lines=50')).body.text, (t) => t.includes('Done'));
    assert.match(text, /^> You are api-1, a worker agent in a cmux team; your supervisor is the agent supervisor/m);
    assert.equal(text.match(/> You are api-1/g)?.length, 1);
    const [task] = (await api.call<Array<{ to: string; body: string }>>('GET', '/api/messages?agent=api-1')).body.filter((m) => m.to === 'api-1');
    assert.match(task!.body, /cmux mail done[\s\S]*Your task:\n\nhello api-1$/);
  });

  it('keeps a renamed window as the same agent', async () => {
    const before = (await agents()).find((a) => a.id === 'api-1')!;
    await tmux('rename-window', '-t', before.windowId, 'renamed-by-hand');
    // A change behind cmux's back shows at the status monitor's next reading (once a second).
    const after = await eventually(async () => (await agents()).find((a) => a.id === 'api-1')!, (a) => a.window === 'renamed-by-hand');
    assert.equal(after.windowId, before.windowId);
    assert.equal(after.window, 'renamed-by-hand');
    assert.equal(after.status, 'idle');
  });

  it('reads idle, busy while working, idle again, and exited when the program dies', async () => {
    assert.equal((await api.call('POST', '/api/agents/api-2/message', { text: 'work on this: sleep 3' })).status, 202);
    await waitStatus('api-2', 'busy', 5_000);
    await waitStatus('api-2', 'idle', 10_000);
    const [demo] = processesMentioning(['CMUX_AGENT_NAME=api-2', cmux.base]).filter((p) => p.command.includes('demo-agent'));
    assert.ok(demo, 'the demo agent process of api-2');
    process.kill(demo.pid, 'SIGKILL');
    await waitStatus('api-2', 'exited', 5_000);
  });

  it('lists an agent whose window was killed behind cmux\'s back as missing, without unregistering it', async () => {
    const agent = (await agents()).find((a) => a.id === 'api-1')!;
    await tmux('kill-window', '-t', agent.windowId);
    await waitStatus('api-1', 'missing', 5_000);
    assert.ok(registryKeys().includes('api-1'));
  });

  it('interrupts with Escape and compacts with /compact', async () => {
    await api.call('POST', '/api/agents/cli-1/message', { text: 'a long job: sleep 30' });
    await waitStatus('cli-1', 'busy', 5_000);
    assert.equal((await api.call('POST', '/api/agents/cli-1/interrupt')).status, 202);
    await waitStatus('cli-1', 'idle', 5_000);
    assert.equal((await api.call('POST', '/api/agents/cli-1/compact')).status, 202);
    const text = await eventually(async () => (await api.call<{ text: string }>('GET', '/api/agents/cli-1/terminal?lines=20')).body.text, (t) => t.includes('compacted'));
    assert.match(text, /Interrupted by user/);
    assert.match(text, /> \/compact/);
  });

  it('takes Claude Code hook events as the status while they are fresh', async () => {
    assert.equal((await api.call('POST', '/api/agent-events', { agent: 'cli-1', event: 'PreToolUse', payload: { tool_name: 'Bash' } })).status, 202);
    await waitStatus('cli-1', 'busy', 3_000);
    await api.call('POST', '/api/agent-events', { agent: 'cli-1', event: 'Stop', payload: {} });
    await waitStatus('cli-1', 'idle', 3_000);
    const events = (await api.call<Array<{ event: string; tool?: string }>>('GET', '/api/agent-events?agent=cli-1')).body;
    assert.deepEqual(events.slice(0, 2).map((e) => e.event), ['Stop', 'PreToolUse']);
    assert.equal(events[1]!.tool, 'Bash');
    assert.equal((await api.call('POST', '/api/agent-events', { agent: '../x', event: 'Stop' })).status, 400);
    const unknownKind = await api.call('POST', '/api/agent-events', { agent: 'cli-1', kind: 'no-such-kind', event: 'Stop' });
    assert.equal(unknownKind.status, 400);
    assert.match(JSON.stringify(unknownKind.body), /kind: no agent kind \\"no-such-kind\\"/);
  });

  it('refuses bad names and taken names: no window, no entry', async () => {
    const windowsBefore = (await tmux('list-windows', '-a', '-F', '#{window_id}')).stdout;
    const cases: Array<[unknown, number]> = [
      [{ name: '../x' }, 400],
      [{ name: 'a;b' }, 400],
      [{ name: 'x'.repeat(200) }, 400],
      [{ name: '' }, 400],
      [{ name: 'a:b' }, 400],
      [{ name: '-t' }, 400],
      [{ name: 42 }, 400],
      [{}, 400],
      [{ name: 'ok', unexpected: 1 }, 400],
      [{ name: 'supervisor' }, 409],
      [{ name: 'by-hand' }, 409],
      [{ name: 'ok', cwd: 'relative/path' }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await api.call<{ error: string }>('POST', '/api/agents', body);
      assert.equal(res.status, status, `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(res.body)}`);
      assert.equal(typeof res.body.error, 'string');
    }
    assert.equal((await api.call('POST', '/api/agents', '{"name": "broken json')).status, 400);
    assert.equal((await tmux('list-windows', '-a', '-F', '#{window_id}')).stdout, windowsBefore);
    assert.deepEqual(registryKeys(), ['api-1', 'api-2', 'cli-1', 'supervisor']);
  });

  it('registers a window that exists already, and unregisters it without closing it', async () => {
    const registered = await api.call<{ id: string; windowId: string; window: string }>('POST', '/api/agents/register', { id: 'adopted', window: 'by-hand' });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.equal(registered.body.window, 'by-hand');
    assert.ok((await agents()).some((a) => a.id === 'adopted' && a.windowId === registered.body.windowId));
    assert.equal((await api.call('POST', '/api/agents/register', { id: 'again', window: 'by-hand' })).status, 409, 'one window, one agent');
    assert.equal((await api.call('POST', '/api/agents/register', { id: 'nowhere', window: 'no-such-window' })).status, 404);
    assert.equal((await api.call('DELETE', '/api/agents/register/adopted')).status, 200);
    assert.ok(!(await agents()).some((a) => a.id === 'adopted'));
    const windows = (await tmux('list-windows', '-a', '-F', '#{window_name}')).stdout.split('\n');
    assert.ok(windows.includes('by-hand'), 'unregistering leaves the window');
    assert.equal((await api.call('DELETE', '/api/agents/register/adopted')).status, 404);
  });

  it('answers 404 for an unknown agent and 400 for bad terminal lines', async () => {
    assert.equal((await api.call('POST', '/api/agents/nobody/message', { text: 'hi' })).status, 404);
    assert.equal((await api.call('GET', '/api/agents/nobody')).status, 404);
    assert.equal((await api.call('POST', '/api/agents/nobody/interrupt')).status, 404);
    assert.equal((await api.call('DELETE', '/api/agents/nobody')).status, 404);
    assert.equal((await api.call('POST', '/api/agents/cli-1/message', { text: '' })).status, 400);
    assert.equal((await api.call('POST', '/api/agents/cli-1/message', { text: 7 })).status, 400);
    for (const lines of ['0', 'abc', '100001', '-5']) {
      assert.equal((await api.call('GET', `/api/agents/cli-1/terminal?lines=${lines}`)).status, 400, lines);
    }
    assert.equal((await api.call('GET', '/api/agents/cli-1')).status, 200);
  });

  it('kills an agent: its terminal is archived in the journal, its window closed, its entry removed', async () => {
    const agent = (await agents()).find((a) => a.id === 'cli-1')!;
    const killed = await api.call<{ archive: string }>('DELETE', '/api/agents/cli-1');
    assert.equal(killed.status, 200);
    assert.ok(killed.body.archive.startsWith(join(cmux.home, 'journal')));
    assert.match(readFileSync(killed.body.archive, 'utf8'), /cmux demo agent · cli-1/);
    const windows = (await tmux('list-windows', '-a', '-F', '#{window_id}')).stdout.split('\n');
    assert.ok(!windows.includes(agent.windowId));
    assert.ok(!registryKeys().includes('cli-1'));
    const cliKill = await cmux.cli(['kill', 'api-1']);
    assert.equal(cliKill.exitCode, 0, String(cliKill.stderr));
    assert.match(String(cliKill.stdout), /killed api-1$/m);
    assert.ok(!registryKeys().includes('api-1'));
    const journalDays = readdirSync(join(cmux.home, 'journal'));
    assert.equal(journalDays.length, 1);
    assert.ok(existsSync(join(cmux.home, 'journal', journalDays[0]!, 'attachments')));
  });

  it('streams agent changes and messages on the WebSocket and refuses foreign origins and missing tokens', async () => {
    const url = `ws://127.0.0.1:${cmux.port}/api/ws?token=${api.token()}`;
    const dashboard = wsRecorder(() => url);
    try {
      await dashboard.open();
      const seen = () => dashboard.frames.map((f) => `${f.event}:${f.data?.id ?? ''}`);
      await api.call('POST', '/api/agents', { name: 'ws-1' });
      await eventually(async () => seen(), (list) => list.includes('agent_created:ws-1'), 30_000);
      await waitStatus('ws-1', 'idle', 30_000);
      // The demo agent works 3 s on this: busy, then idle again, each a frame.
      assert.equal((await api.call('POST', '/api/agents/ws-1/message', { text: 'sleep 3' })).status, 202);
      const changes = await eventually(
        async () => dashboard.frames.filter((f) => f.event === 'agent_status' && f.data.id === 'ws-1').map((f) => `${f.data.previous}->${f.data.status}`),
        (list) => list.includes('idle->busy') && list.indexOf('busy->idle', list.indexOf('idle->busy')) !== -1,
        30_000,
      );
      assert.ok(changes.length >= 2, changes.join(', '));
      const posted = await api.call<{ id: string }>('POST', '/api/messages', { to: 'user', subject: 'over the socket' });
      await eventually(async () => dashboard.messageFrames.get(posted.body.id) ?? 0, (n) => n === 1, 30_000);
      assert.equal(dashboard.frames.find((f) => f.event === 'message' && f.data.id === posted.body.id)!.data.subject, 'over the socket');
      assert.equal((await api.call('DELETE', '/api/agents/ws-1')).status, 200);
      await eventually(async () => seen(), (list) => list.includes('agent_removed:ws-1'), 30_000);
    } finally {
      dashboard.close();
    }

    const refused = async (target: string, origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(target, { origin });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
        ws.once('error', () => resolve(-1));
      });
    assert.equal(await refused(url, 'http://evil.example'), 403);
    assert.equal(await refused(`ws://127.0.0.1:${cmux.port}/api/ws`, `http://127.0.0.1:${cmux.port}`), 401);
  });
});
