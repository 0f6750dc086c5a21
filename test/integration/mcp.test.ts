import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { FastifyInstance } from 'fastify';
import { createAgent } from '../../apps/agents/index.ts';
import { agentIdentityToken, ensureAgentToken } from '../../apps/core/src/agents/index.ts';
import { homePaths, openHistory, type MailboxMessage } from '../../apps/core/src/index.ts';
import { readRegistry } from '../../apps/registry/index.ts';
import { agentHarness } from '../helpers/agents.ts';
import { CLI } from '../helpers/instance.ts';
import { inProcessApp } from '../helpers/server-app.ts';
import { eventually } from '../helpers/tmux.ts';

// `cmux mcp` over stdio with the SDK's own client, against the server's routes in this process:
// who the caller is comes from its token alone, and the supervisor's tools are the supervisor's.
describe('cmux mcp', { timeout: 120_000 }, () => {
  const harness = agentHarness();
  const { deps } = harness;
  let app: FastifyInstance;
  let url: string;
  let secret: string;
  const clients: Client[] = [];
  const TOKEN = 'test-api-token-0123456789';

  // An MCP client of `cmux mcp` run as `name` (its window's variables), as an agent's program runs it.
  const connect = async (name: string, token = agentIdentityToken(secret, name)) => {
    const client = new Client({ name: 'test', version: '1' });
    const env = { PATH: process.env.PATH ?? '', CMUX_URL: url, CMUX_AGENT_NAME: name, CMUX_AGENT_TOKEN: token };
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env, stderr: 'pipe' }));
    clients.push(client);
    return client;
  };
  const toolsOf = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();
  const mailbox = () =>
    readFileSync(homePaths(deps.config.home).mailbox, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as MailboxMessage);
  const me = (name: string, token: string) => fetch(`${url}/api/me/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-cmux-agent': name },
    body: JSON.stringify({ to: 'user', text: 'hello' }),
  });

  before(async () => {
    secret = ensureAgentToken(deps.config);
    await createAgent(deps, { name: 'supervisor', role: 'supervisor', command: 'cat', cwd: harness.base, createdBy: 'user' });
    // The worker's program writes down the token its window was given.
    await createAgent(deps, { name: 'w1', command: `printf %s "$CMUX_AGENT_TOKEN" > ${join(harness.base, 'w1.token')}; exec cat`, cwd: harness.base, createdBy: 'supervisor' });
    await createAgent(deps, { name: 'w2', command: 'cat', cwd: harness.base, createdBy: 'supervisor' });
    app = await inProcessApp(deps, TOKEN, secret);
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await app?.close();
    await harness.cleanup();
  });

  it('gives an agent window its own token, the one the server checks', async () => {
    const given = await eventually(async () => readFileSync(join(harness.base, 'w1.token'), 'utf8'), (t) => t.length > 0, 10_000);
    assert.equal(given, agentIdentityToken(secret, 'w1'));
    assert.notEqual(given, agentIdentityToken(secret, 'supervisor'));
  });

  it('lists the supervisor tools to the supervisor only', async () => {
    const common = ['handoff', 'list_agents', 'read_messages', 'report', 'send_message', 'task_add', 'task_list', 'task_update'];
    assert.deepEqual(await toolsOf(await connect('w1')), common);
    assert.deepEqual(await toolsOf(await connect('supervisor')), [...common, 'answer', 'interrupt', 'spawn_worker'].sort());
  });

  it('sends as the caller, byte for byte, once', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `line ${i + 1}: "double" 'single' $HOME \${PATH} \`whoami\`\ttab 🚀`).join('\n');
    const result = await (await connect('w1')).callTool({ name: 'send_message', arguments: { to: 'user', text } });
    assert.equal(result.isError, undefined, JSON.stringify(result));
    const sent = mailbox().filter((m) => m.body === text);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.from, 'w1');
    assert.deepEqual(result.structuredContent, { id: (result.structuredContent as { id: string }).id, to: 'user' });
  });

  it('reports to the supervisor as the caller; the task board answers', async () => {
    const w1 = await connect('w1');
    const report = await w1.callTool({ name: 'report', arguments: { kind: 'progress', text: 'half way' } });
    assert.equal(report.isError, undefined, JSON.stringify(report));
    assert.ok(mailbox().some((m) => m.from === 'w1' && m.to === 'supervisor' && m.subject === 'status: half way'));
    const added = await w1.callTool({ name: 'task_add', arguments: { title: 'write the docs' } });
    assert.equal((added.structuredContent as { task: { title: string } }).task.title, 'write the docs');
    const listed = await w1.callTool({ name: 'task_list', arguments: {} });
    assert.ok((listed.structuredContent as { tasks: Array<{ title: string }> }).tasks.some((t) => t.title === 'write the docs'));
  });

  // A worker's handoff to a worker: the giver waits for the answer, so the report goes to it.
  it('sends the done report on a task one worker gave another to the giver, not the supervisor', async () => {
    const [w1, w2] = [await connect('w1'), await connect('w2')];
    const added = await w1.callTool({ name: 'task_add', arguments: { title: 'check the build', assignee: 'w2' } });
    const { task } = added.structuredContent as { task: { id: number } };
    // The router records the assignment in the history as it delivers it (no router runs here).
    const history = openHistory(deps.config.home);
    history.insert(mailbox().find((m) => m.to === 'w2' && m.subject.startsWith(`task #${task.id}: `))!, 'delivered');
    history.close();
    const report = await w2.callTool({ name: 'report', arguments: { kind: 'done', text: 'the build is green', task: task.id } });
    assert.equal(report.isError, undefined, JSON.stringify(report));
    assert.deepEqual(mailbox().filter((m) => m.subject === 'done: the build is green').map((m) => [m.from, m.to]), [['w2', 'w1']]);
    // The user's task is reported to the supervisor, as before.
    const own = await w2.callTool({ name: 'report', arguments: { kind: 'progress', text: 'more to come' } });
    assert.equal((own.structuredContent as { to: string }).to, 'supervisor');
  });

  it('spawn_worker runs the kind it names, and refuses a kind that is not configured or has no command here', async () => {
    const supervisor = await connect('supervisor');
    const spawn = (args: Record<string, unknown>) => supervisor.callTool({ name: 'spawn_worker', arguments: { task: 'say hi', ...args } });
    const refused = async (args: Record<string, unknown>, reason: RegExp) => {
      const result = await spawn(args);
      assert.equal(result.isError, true, JSON.stringify(result));
      assert.match(JSON.stringify(result.content), reason);
    };
    await refused({ name: 'w5', kind: 'nope' }, /no agent kind \\"nope\\"; the kinds are claude-code, codex, gemini, demo, generic/);
    await refused({ name: 'w5', kind: '../x' }, /kind/);
    await refused({ name: 'w5', kind: 'codex' }, /kind codex has no command here: set agentKinds.codex.run/);
    await refused({ name: 'w5', kind: 'demo', command: 'cat' }, /command runs a program of kind generic, not demo/);
    const w5 = async () => Object.values((await readRegistry(homePaths(deps.config.home).registry))!.agents).find((a) => a.name === 'w5');
    assert.equal(await w5(), undefined, 'nothing was spawned');
    const spawned = await spawn({ name: 'w5', kind: 'demo' });
    assert.equal(spawned.isError, undefined, JSON.stringify(spawned));
    const entry = await w5();
    assert.equal(entry?.kind, 'demo');
    assert.equal(entry?.createdBy, 'supervisor');
  });

  it('refuses a supervisor tool to a worker, in the tool list and at the API', async () => {
    const w1 = await connect('w1');
    const called = await w1.callTool({ name: 'spawn_worker', arguments: { name: 'w9', task: 'x' } }).catch((error: Error) => ({ isError: true, content: [{ type: 'text', text: error.message }] }));
    assert.equal(called.isError, true);
    assert.match(JSON.stringify(called.content), /spawn_worker/);
    const asWorker = await fetch(`${url}/api/me/spawn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agentIdentityToken(secret, 'w1')}`, 'x-cmux-agent': 'w1' },
      body: JSON.stringify({ name: 'w9', task: 'x' }),
    });
    assert.equal(asWorker.status, 403);
    assert.equal(((await asWorker.json()) as { code: string }).code, 'CMUX_ERR_FORBIDDEN');
    assert.ok(!mailbox().some((m) => m.to === 'w9'));
  });

  it('refuses a forged sender: another agent\'s name with the worker\'s token, the API token, no name', async () => {
    const before = mailbox().length;
    const w1Token = agentIdentityToken(secret, 'w1');
    assert.equal((await me('supervisor', w1Token)).status, 401);
    assert.equal((await me('user', w1Token)).status, 401);
    assert.equal((await me('w1', TOKEN)).status, 401, 'the API token names no agent');
    assert.equal((await me('w1', secret)).status, 401, 'the agents\' secret itself is no agent\'s token');
    const unnamed = await fetch(`${url}/api/me/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${w1Token}` }, body: '{"to":"user","text":"x"}' });
    assert.equal(unnamed.status, 401);
    assert.equal(mailbox().length, before, 'nothing was queued');
    assert.equal((await me('w1', w1Token)).status, 202);
    const elsewhere = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${w1Token}`, 'x-cmux-agent': 'w1' }, body: '{"to":"user","subject":"x","from":"supervisor"}' });
    assert.equal(elsewhere.status, 401, 'an agent\'s token opens its own routes only');
  });

  it('refuses bad input with a clear error and queues nothing', async () => {
    const before = mailbox().length;
    const w1 = await connect('w1');
    for (const args of [{ to: 'user' }, { to: '../etc', text: 'x' }, { to: 'user', text: '' }, { to: 'a b', text: 'x' }, { to: 'user', text: 42 }]) {
      const result = await w1.callTool({ name: 'send_message', arguments: args });
      assert.equal(result.isError, true, JSON.stringify(args));
    }
    assert.equal(mailbox().length, before);
    // A sender in the arguments is no argument of the tool: the message still goes as w1.
    await w1.callTool({ name: 'send_message', arguments: { to: 'user', text: 'forged?', from: 'supervisor' } });
    assert.deepEqual(mailbox().filter((m) => m.body === 'forged?').map((m) => m.from), ['w1']);
  });

  it('will not start outside an agent window', async () => {
    const client = new Client({ name: 'test', version: '1' });
    await assert.rejects(client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env: { PATH: process.env.PATH ?? '' }, stderr: 'pipe' })));
    await client.close();
  });
});
