import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { composerText, detectPaneStatus, loadConfig } from '../../apps/core/src/index.ts';
import { loadKinds } from '../../apps/agents/index.ts';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic-api.ts';
import { callPrompt } from '../fakes/prompt-script.ts';
import { agentIdentityToken } from '../../apps/core/src/agents/index.ts';
import { sumUsage } from '../fakes/fake-http.ts';
import { apiClient } from '../helpers/api.ts';
import { CLAUDE_BIN, CLAUDE_VERSION, claudeEnv, FAKE_API_KEY, prepareClaudeHome } from '../helpers/claude-code.ts';
import { createInstance, processesMentioning, ROOT, type TestInstance } from '../helpers/instance.ts';
import { workerPreamble } from '../helpers/preamble.ts';
import { eventually } from '../helpers/tmux.ts';

// The real Claude Code (test/real-agents) against a local fake of the Anthropic API: what cmux
// says about it must be what it does.
describe('real Claude Code, end to end', { timeout: 900_000 }, () => {
  let fake: FakeAnthropic;
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  let work: string;
  let claudeHome: string;
  const claude = loadKinds(loadConfig({ env: {}, root: ROOT })).forCommand('claude');
  const command = `${CLAUDE_BIN} --dangerously-skip-permissions`;
  const tmux = (...args: string[]) => execa('tmux', ['-S', cmux.socket, ...args], { timeout: 10_000 });
  const agentOf = async (id: string) => (await api.call<Array<{ id: string; status: string; attention: { event: string } | null }>>('GET', '/api/agents')).body.find((a) => a.id === id);
  const statusOf = async (id: string) => (await agentOf(id))?.status;
  const waitStatus = (id: string, status: string, timeoutMs = 30_000) => eventually(() => statusOf(id), (s) => s === status, timeoutMs);
  const screen = async (id: string) => (await api.call<{ text: string }>('GET', `/api/agents/${id}/terminal?lines=80`)).body.text;
  // Each agent talks to the fake under its own base URL, so its prompts are told apart.
  const apiOf = (name: string) => ['--env', `ANTHROPIC_BASE_URL=${fake.url}/c/${name}`];
  // The prompts `name` sent after the first `seen`, once `count` arrived and its turn ended.
  const promptsOf = async (name: string, seen: number, count: number) => {
    await eventually(async () => fake.prompts(name).length, (n) => n >= seen + count, 60_000);
    await waitStatus(name, 'idle');
    return fake.prompts(name).slice(seen);
  };
  const registry = () => (parseYaml(readFileSync(join(cmux.home, 'agents.yaml'), 'utf8')) as { agents: Record<string, { sessionId?: string; env?: object }> }).agents;
  // The live screen read by the same rules as the fixtures, and kept for refreshing them.
  // A turn's end reads idle from the Stop hook at once; its screen still shows the hook running
  // for a moment, so an idle screen is taken once the hook is done.
  const classify = async (id: string, state: string, expected: string) => {
    const { windowId } = (await api.call<{ windowId: string }>('GET', `/api/agents/${id}`)).body;
    const capture = async () => (await tmux('capture-pane', '-p', '-t', windowId)).stdout;
    const pane = expected === 'idle' ? await eventually(capture, (p) => !/running Stop hook/.test(p), 15_000) : await capture();
    const dir = join(ROOT, 'test-artifacts', 'panes');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `claude-code-${CLAUDE_VERSION}-${state}.txt`), `${pane}\n`);
    assert.equal(detectPaneStatus(claude, pane), expected, `the live ${state} screen:\n${pane}`);
  };
  const messages = async () => (await api.call<Array<{ id: string; from: string; to: string; subject: string; body?: string; status: string }>>('GET', '/api/messages?limit=200')).body;

  before(async () => {
    fake = await startFakeAnthropic();
    // The configuration names folders inside the instance, so it is written once they exist.
    cmux = await createInstance({ userConfig: '' });
    work = join(cmux.base, 'work');
    mkdirSync(work, { recursive: true });
    claudeHome = prepareClaudeHome(join(cmux.base, 'claude-home'), { returning: true, trusted: [work, ROOT] });
    const env = claudeEnv(fake.url, claudeHome);
    writeFileSync(
      cmux.env.CMUX_CONFIG!,
      [`agents:`, `  command: ${JSON.stringify(command)}`, `  env: ${JSON.stringify(env)}`, `  acceptApiKey: true`, `  readyTimeoutSeconds: 120`, ''].join('\n'),
    );
    api = apiClient(cmux);
    const start = await cmux.cli(['start'], { timeoutMs: 240_000 });
    assert.equal(start.exitCode, 0, `${start.stdout}\n${start.stderr}`);
    assert.match(String(start.stdout), /the supervisor is ready/);
  });

  after(async () => {
    await cmux?.cleanup();
    await fake?.close();
    assert.deepEqual(processesMentioning(cmux.base), [], 'nothing of the instance is left running');
  });

  it('spawns a worker whose task reaches the API once and exactly, after the worker preamble', async () => {
    const task = 'Say hello to the suite. DELAY 3000';
    const spawned = await cmux.cli(['spawn', 'w1', '--cwd', work, ...apiOf('w1'), '--task', task], { timeoutMs: 180_000 });
    assert.equal(spawned.exitCode, 0, `${spawned.stdout}\n${spawned.stderr}`);
    assert.match(String(spawned.stdout), /task delivered/);
    assert.deepEqual(await promptsOf('w1', 0, 1), [`${workerPreamble('w1', work)}\n\n${task}`]);
  });

  it('reads busy while the API delays, and idle within 2 s of the turn\'s end', async () => {
    const seen = fake.prompts('w1').length;
    assert.equal((await api.call('POST', '/api/agents/w1/message', { text: 'take your time DELAY 4000' })).status, 202);
    await waitStatus('w1', 'busy', 30_000);
    await classify('w1', 'busy', 'busy');
    const turn = await eventually(async () => fake.turns('w1')[seen], (t) => t !== undefined && t.request.finishedAt !== null, 60_000);
    await waitStatus('w1', 'idle', 30_000);
    const idleAfter = Date.now() - turn!.request.finishedAt!;
    await classify('w1', 'idle', 'idle');
    assert.ok(idleAfter <= 2_000 + 500, `idle ${idleAfter} ms after the turn ended (poll slack 500 ms)`);
  });

  it('records the session id from the SessionStart hook, and stores each answer as a message to the sender', async () => {
    const entry = await eventually(async () => registry().w1, (e) => typeof e?.sessionId === 'string', 15_000);
    assert.match(entry!.sessionId!, /^[0-9a-f-]{36}$/);
    const replies = await eventually(messages, (list) => list.some((m) => m.from === 'w1' && m.body === 'Echo: take your time DELAY 4000'), 15_000);
    const reply = replies.find((m) => m.from === 'w1' && m.body === 'Echo: take your time DELAY 4000')!;
    assert.equal(reply.to, 'user');
    assert.equal(reply.status, 'delivered');
  });

  it('delivers a 40-line message with quotes, $VARS, backticks, unicode and emoji as a direct paste would', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i + 1}: "double" 'single' $HOME \${PATH} \`whoami\` naïve 日本語 🚀\tafter-a-tab`);
    const text = lines.join('\n');
    // What Claude Code's input box makes of the same text pasted straight through tmux.
    await tmux('new-window', '-d', '-t', 'cmux:', '-n', 'direct', '-c', work, '-e', `HOME=${claudeHome}`, '-e', `ANTHROPIC_BASE_URL=${fake.url}/c/direct`, '-e', `ANTHROPIC_API_KEY=${FAKE_API_KEY}`, '-e', 'IS_SANDBOX=1', command);
    await eventually(async () => (await tmux('capture-pane', '-p', '-t', 'cmux:direct')).stdout, (pane) => /^─{3,}\n❯/m.test(pane), 60_000);
    await execa('tmux', ['-S', cmux.socket, 'load-buffer', '-b', 'e2e', '-'], { input: text, timeout: 10_000 });
    await tmux('paste-buffer', '-p', '-d', '-b', 'e2e', '-t', 'cmux:direct');
    await new Promise((r) => setTimeout(r, 1_000));
    await tmux('send-keys', '-t', 'cmux:direct', 'Enter');
    const [direct] = await eventually(async () => fake.prompts('direct'), (p) => p.length === 1, 60_000);
    await tmux('kill-window', '-t', 'cmux:direct');

    const seen = fake.prompts('w1').length;
    const sent = await execa(process.execPath, [join(ROOT, 'scripts', 'cmux.mjs'), 'send', 'w1', '-'], { env: cmux.env, extendEnv: false, input: text, timeout: 120_000, reject: false });
    assert.equal(sent.exitCode, 0, `${sent.stdout}\n${sent.stderr}`);
    assert.match(sent.stdout, /^delivered /);
    assert.deepEqual(await promptsOf('w1', seen, 1), [direct]);
    assert.equal(direct, text.replace(/\t/g, '    '), 'the input box turns tabs into spaces and keeps every other byte');
  });

  it('interrupts before any output: the prompt does not stay in the input box, and the next message arrives alone', async () => {
    const seen = fake.prompts('w1').length;
    assert.equal((await api.call('POST', '/api/agents/w1/message', { text: 'this will be stopped DELAY 60000' })).status, 202);
    await eventually(async () => fake.prompts('w1').length, (n) => n === seen + 1, 30_000);
    await waitStatus('w1', 'busy');
    const stopped = Date.now();
    assert.equal((await api.call('POST', '/api/agents/w1/interrupt')).status, 202);
    await waitStatus('w1', 'idle', 10_000);
    assert.ok(Date.now() - stopped <= 2_000 + 1_000, `idle ${Date.now() - stopped} ms after the interrupt`);
    // No "Interrupted" line here: cmux knows it pressed the interrupt (issue 26, finding 7).
    assert.equal((await agentOf('w1'))?.attention, null, 'stopped, not done');
    assert.equal(composerText(claude, await screen('w1')), '', 'the input box is empty');
    await classify('w1', 'interrupt-early', 'idle');
    const interrupt = await cmux.cli(['send', 'w1', 'AFTER-INTERRUPT follow-up']);
    assert.equal(interrupt.exitCode, 0, String(interrupt.stderr));
    assert.deepEqual(await promptsOf('w1', seen, 2), ['this will be stopped DELAY 60000', 'AFTER-INTERRUPT follow-up']);
  });

  it('interrupts mid-stream: idle within 2 s, an empty input box, and the next message alone', async () => {
    const seen = fake.prompts('w1').length;
    assert.equal((await api.call('POST', '/api/agents/w1/message', { text: 'stream slowly SLOW 30000' })).status, 202);
    const turn = await eventually(async () => fake.turns('w1')[seen], (t) => t !== undefined && t.request.sentParts >= 2, 30_000);
    await eventually(() => screen('w1'), (text) => text.includes('Echo:'), 10_000);
    await classify('w1', 'busy-stream', 'busy');
    const stopped = Date.now();
    const cli = await cmux.cli(['interrupt', 'w1']);
    assert.equal(cli.exitCode, 0, String(cli.stderr));
    await waitStatus('w1', 'idle', 10_000);
    assert.ok(Date.now() - stopped <= 2_000 + 1_000, `idle ${Date.now() - stopped} ms after the interrupt`);
    assert.equal((await agentOf('w1'))?.attention, null, 'stopped by `cmux interrupt`, not done');
    await eventually(async () => turn!.request.aborted, (aborted) => aborted, 10_000);
    assert.match(await screen('w1'), /Interrupted/);
    await classify('w1', 'interrupt-mid', 'idle');
    assert.equal(composerText(claude, await screen('w1')), '');
    assert.equal((await cmux.cli(['send', 'w1', 'next after the stream'])).exitCode, 0);
    assert.deepEqual(await promptsOf('w1', seen, 2), ['stream slowly SLOW 30000', 'next after the stream']);
  });

  // Issue 26: `send`, then `interrupt` 2 s later under load, left Claude in its Rewind menu (two
  // Escapes on an empty input box open it), read as `waiting`; the prompt could also come back
  // into the input box after cmux had cleared it. Run this file under CPU load too
  // (node scripts/test-load.mjs test/real-agents/claude-code).
  it('an interrupt 0.5 to 3 s after a send never opens Claude\'s Rewind menu: it ends idle with an empty input box', async () => {
    // A worker whose UserPromptSubmit hooks take a second (one of the user's own besides cmux's),
    // as hooks do on a loaded machine: interrupts then also land while Claude still submits.
    const slowHome = prepareClaudeHome(join(cmux.base, 'slow-hook-home'), { returning: true, trusted: [work] });
    const slowHook = { UserPromptSubmit: [{ hooks: [{ type: 'command', command: 'sleep 1' }] }] };
    writeFileSync(join(slowHome, '.claude', 'settings.json'), JSON.stringify({ skipDangerousModePermissionPrompt: true, hooks: slowHook }));
    const spawned = await cmux.cli(['spawn', 'w9', '--cwd', work, '--env', `HOME=${slowHome}`, ...apiOf('w9'), '--task', 'a first turn, to rewind to'], { timeoutMs: 180_000 });
    assert.equal(spawned.exitCode, 0, `${spawned.stdout}\n${spawned.stderr}`);
    await promptsOf('w9', 0, 1);
    const rewind = claude.strayMenus[0]!.when;
    const { windowId } = (await api.call<{ windowId: string }>('GET', '/api/agents/w9')).body;
    const delivery = async (id: string) => (await messages()).find((m) => m.id === id)?.status;
    for (const delayMs of [500, 1_000, 1_500, 2_000, 2_500, 3_000]) {
      // Every screen from the send on, read straight from tmux, so a menu cmux closes again is seen too.
      let watching = true;
      let opened: string | null = null;
      const watcher = (async () => {
        while (watching) {
          const pane = (await tmux('capture-pane', '-p', '-t', windowId)).stdout;
          if (rewind.test(pane)) opened ??= pane;
          await sleep(50);
        }
      })();
      try {
        const sent = await api.call<{ id: string }>('POST', '/api/agents/w9/message', { text: `stop me ${delayMs} ms after the send DELAY 2000` });
        assert.equal(sent.status, 202);
        await sleep(delayMs);
        assert.equal((await api.call('POST', '/api/agents/w9/interrupt')).status, 202);
        await eventually(() => delivery(sent.body.id), (s) => s === 'delivered' || s === 'dead', 60_000);
        // Idle with an empty input box, and still so a second later.
        const calm = async () => (await statusOf('w9')) === 'idle' && composerText(claude, await screen('w9')) === '';
        await eventually(async () => (await calm()) && (await sleep(1_000), calm()), Boolean, 30_000).catch(async (error: Error) => {
          throw new Error(`interrupt ${delayMs} ms after the send: ${error.message}\n${await screen('w9')}`);
        });
      } finally {
        watching = false;
        await watcher;
      }
      assert.equal(opened, null, `interrupt ${delayMs} ms after the send opened Rewind:\n${opened}`);
    }
    assert.equal((await cmux.cli(['kill', 'w9'])).exitCode, 0);
  });

  it('runs cmux mail send and mail done from Claude\'s Bash tool, and the messages are in the history', async () => {
    const sent = await cmux.cli(['send', 'w1', 'please RUN: cmux mail send --to user --subject from-the-bash-tool --body "sent by w1"']);
    assert.equal(sent.exitCode, 0, String(sent.stderr));
    const list = await eventually(messages, (all) => all.some((m) => m.subject === 'from-the-bash-tool'), 60_000);
    const message = list.find((m) => m.subject === 'from-the-bash-tool')!;
    assert.equal(message.from, 'w1', 'the sender is taken from the agent window');
    assert.equal(message.body, 'sent by w1');
    await waitStatus('w1', 'idle');

    assert.equal((await cmux.cli(['send', 'w1', 'please RUN: cmux mail done "finished the e2e task"'])).exitCode, 0);
    const done = await eventually(messages, (all) => all.some((m) => m.subject === 'done: finished the e2e task'), 60_000);
    const report = done.find((m) => m.subject === 'done: finished the e2e task')!;
    assert.equal(report.from, 'w1');
    assert.equal(report.to, 'supervisor');
    const read = await cmux.cli(['mail', 'read', '--agent', 'w1', '--json']);
    assert.equal(read.exitCode, 0, String(read.stderr));
    assert.ok((JSON.parse(String(read.stdout)) as Array<{ subject: string }>).some((m) => m.subject === 'done: finished the e2e task'));
    await waitStatus('w1', 'idle');
  });

  // cmux's MCP server, registered at spawn (issue 28): the fake model calls its tools.
  describe('cmux\'s MCP tools', () => {
    const sendTo = async (agent: string, tool: string, input: Record<string, unknown>) => {
      const seen = fake.toolResults(agent === 'supervisor' ? null : agent).length;
      const sent = await cmux.cli(['send', agent, callPrompt(tool, input)]);
      assert.equal(sent.exitCode, 0, `${sent.stdout}\n${sent.stderr}`);
      const results = await eventually(async () => fake.toolResults(agent === 'supervisor' ? null : agent), (r) => r.length > seen, 240_000);
      await waitStatus(agent, 'idle', 120_000);
      return results[seen]!;
    };

    it('send_message: a 40-line text with quotes, $VARS, backticks, tabs and emoji reaches the addressee byte for byte, once, from w1', async () => {
      const text = Array.from({ length: 40 }, (_, i) => `line ${i + 1}: "double" 'single' $HOME \${PATH} \`whoami\`\ttab\t🚀 naïve`).join('\n');
      const result = await sendTo('w1', 'send_message', { to: 'user', text });
      assert.equal(result.isError, false, result.text);
      const sent = await eventually(messages, (all) => all.some((m) => m.body === text), 30_000);
      assert.deepEqual(sent.filter((m) => m.body === text).map((m) => [m.from, m.to]), [['w1', 'user']]);
    });

    it('handoff: the supervisor hands w1 a task and gets w1\'s done report back as the tool\'s answer', async () => {
      const task = callPrompt('report', { kind: 'done', text: 'handed-off work finished' });
      const result = await sendTo('supervisor', 'handoff', { to: 'w1', task, wait_seconds: 300 });
      assert.equal(result.isError, false, result.text);
      const answer = JSON.parse(result.text) as { outcome: string; from: string; text: string; task: number };
      assert.deepEqual([answer.outcome, answer.from, answer.text], ['done', 'w1', 'handed-off work finished']);
      const board = (await api.call<Array<{ id: number; status: string }>>('GET', '/api/tasks')).body;
      assert.equal(board.find((t) => t.id === answer.task)?.status, 'done', 'the report moved the handed-off task');
      await waitStatus('w1', 'idle');
    });

    it('a worker has no supervisor tools: its call of spawn_worker is refused and nothing is spawned', async () => {
      const result = await sendTo('w1', 'spawn_worker', { name: 'w9', task: 'x' });
      assert.equal(result.isError, true, result.text);
      assert.equal((await api.call<Array<{ id: string }>>('GET', '/api/agents')).body.some((a) => a.id === 'w9'), false);
    });

    it('refuses another agent\'s name with the worker\'s token at the API', async () => {
      const w1Token = agentIdentityToken(readFileSync(join(cmux.home, 'state', 'agent-token'), 'utf8').trim(), 'w1');
      const as = (name: string) => api.call('POST', '/api/me/messages', { to: 'user', text: `forged by ${name}?` }, { authorization: `Bearer ${w1Token}`, 'x-cmux-agent': name });
      assert.equal((await as('supervisor')).status, 401);
      assert.equal((await as('w1')).status, 202);
      const all = await messages();
      assert.equal(all.some((m) => m.body === 'forged by supervisor?'), false);
    });

    it('registered cmux for the session only: the user\'s own Claude config names no cmux server', () => {
      const state = JSON.parse(readFileSync(join(claudeHome, '.claude.json'), 'utf8')) as { mcpServers?: object; projects?: Record<string, { mcpServers?: object }> };
      assert.equal(state.mcpServers, undefined);
      for (const project of Object.values(state.projects ?? {})) assert.ok(!Object.keys(project.mcpServers ?? {}).includes('cmux'));
      assert.equal(readFileSync(join(claudeHome, '.claude', 'settings.json'), 'utf8'), JSON.stringify({ skipDangerousModePermissionPrompt: true }), 'its settings are as the user left them');
    });
  });

  it('gives a worker that Claude spawns its task from Claude, said once, and sends the worker\'s answer back to Claude', async () => {
    const [role] = fake.turns().filter((t) => t.request.client === null).map((t) => t.prompt);
    assert.ok(role?.startsWith('[system:cmux] Read your role instructions in '), role);
    assert.equal(role!.split('Read your role instructions').length - 1, 1, 'the supervisor read its role once');

    const spawn = `please RUN: cmux spawn w8 --cwd ${work} --env ANTHROPIC_BASE_URL=${fake.url}/c/w8 --task "Say hello to w1"`;
    assert.equal((await cmux.cli(['send', 'w1', spawn])).exitCode, 0);
    await eventually(async () => fake.prompts('w8').length, (n) => n >= 1, 240_000);
    assert.deepEqual(await promptsOf('w8', 0, 1), [`[w1] ${workerPreamble('w8', work)}\n\nSay hello to w1`]);
    const w8 = (await api.call<Array<{ id: string; createdBy: string }>>('GET', '/api/agents')).body.find((a) => a.id === 'w8');
    assert.equal(w8?.createdBy, 'w1');
    const list = await eventually(messages, (all) => all.some((m) => m.from === 'w8' && m.body?.startsWith('Echo: [w1] ')), 30_000);
    assert.equal(list.find((m) => m.from === 'w8' && m.body?.startsWith('Echo: [w1] '))!.to, 'w1', 'its answer goes to the agent that spawned it');
    await waitStatus('w1', 'idle', 120_000);
    assert.equal((await cmux.cli(['kill', 'w8'])).exitCode, 0);
  });

  it('compacts through the mailbox', async () => {
    const compact = await cmux.cli(['compact', 'w1']);
    assert.equal(compact.exitCode, 0, `${compact.stdout}\n${compact.stderr}`);
    await eventually(() => screen('w1'), (text) => /Compacted/.test(text), 60_000);
    await waitStatus('w1', 'idle');
    await classify('w1', 'compacted', 'idle');
  });

  // Its transcript holds each main request (those that offer tools), a stream cut off by an
  // interrupt too; its side requests (a title) and the requests of a /compact are in no
  // transcript's usage, so they are not counted (README, Usage and cost).
  it('`cmux usage` counts each agent\'s tokens from its transcript: exactly what the fake billed its main requests, a killed agent\'s too', async () => {
    // Claude Code's compaction prompt (2.1.332).
    const compacting = (r: FakeAnthropic['requests'][number]) => JSON.stringify(r.body).includes('create a detailed summary of the conversation so far');
    assert.ok(fake.requests.some((r) => r.client === 'w1' && compacting(r) && r.usage), 'the compaction made a billed request');
    const usage = await cmux.cli(['usage', '--json'], { timeoutMs: 60_000 });
    assert.equal(usage.exitCode, 0, String(usage.stderr));
    const lines = (JSON.parse(String(usage.stdout)) as { lines: Array<{ key: string; calls: number; input: number; output: number; cacheRead: number; cacheWrite: number }> }).lines;
    for (const name of ['w1', 'w8']) {
      const billed = fake.requests.filter((r) => r.client === name && r.body?.tools?.length && r.usage && !compacting(r)).map((r) => r.usage!);
      const expected = sumUsage(billed);
      const line = lines.find((l) => l.key === name);
      assert.deepEqual(line && { input: line.input, output: line.output, cacheRead: line.cacheRead, cacheWrite: line.cacheWrite }, expected, name);
      assert.equal(line?.calls, billed.length, name);
    }
  });

  it('reads waiting while a permission dialog asks, and passes a spawn --env variable to the agent', async () => {
    const marker = join(cmux.base, 'env-marker');
    const spawned = await cmux.cli(
      ['spawn', 'w2', '--cwd', work, '--command', `${CLAUDE_BIN} --permission-mode default`, '--env', 'CMUX_E2E_OK=only-for-w2', '--task', `RUN: printenv CMUX_E2E_OK > ${marker}`],
      { timeoutMs: 180_000 },
    );
    // CMUX_* names are cmux's own: the refusal says so and nothing starts.
    assert.notEqual(spawned.exitCode, 0);
    assert.match(String(spawned.stderr), /CMUX_\* variables are set by cmux itself/);

    const retry = await cmux.cli(
      ['spawn', 'w2', '--cwd', work, '--command', `${CLAUDE_BIN} --permission-mode default`, ...apiOf('w2'), '--env', 'E2E_MARK=only-for-w2', '--task', `RUN: printenv E2E_MARK > ${marker}`],
      { timeoutMs: 180_000 },
    );
    assert.equal(retry.exitCode, 0, `${retry.stdout}\n${retry.stderr}`);
    await waitStatus('w2', 'waiting', 60_000);
    assert.match(await screen('w2'), /Do you want to proceed\?/);
    await classify('w2', 'permission', 'waiting');
    const { body: shown } = await api.call<{ dialog: { question: string; choices: string[] } }>('GET', '/api/agents/w2/dialog');
    assert.equal(shown.dialog.question, 'Do you want to proceed?');
    assert.equal(shown.dialog.choices[0], 'Yes');
    const answered = await cmux.cli(['answer', 'w2', 'Yes', '--question', 'Do you want to proceed?']);
    assert.equal(answered.exitCode, 0, `${answered.stdout}\n${answered.stderr}`);
    await eventually(async () => existsSync(marker) && readFileSync(marker, 'utf8'), (content) => content === 'only-for-w2\n', 60_000);
    assert.deepEqual(registry().w2?.env, { ANTHROPIC_BASE_URL: `${fake.url}/c/w2`, E2E_MARK: 'only-for-w2' });
    await waitStatus('w2', 'idle');
  });

  it('answers the folder-trust dialog by its choice on screen, and fails a spawn whose API-key dialog it may not answer', async () => {
    const fresh = join(cmux.base, 'fresh-project');
    mkdirSync(fresh);
    const newHome = prepareClaudeHome(join(cmux.base, 'new-user-home'), { returning: false });
    const refuse = join(cmux.base, 'refuse.yaml');
    writeFileSync(refuse, readFileSync(cmux.env.CMUX_CONFIG!, 'utf8').replace('acceptApiKey: true', 'acceptApiKey: false'));
    const refused = await cmux.cli(['spawn', 'w3', '--cwd', fresh, '--env', `HOME=${newHome}`, '--task', 'never typed'], {
      env: { CMUX_CONFIG: refuse },
      timeoutMs: 180_000,
    });
    assert.notEqual(refused.exitCode, 0);
    assert.match(String(refused.stderr), /asks whether to use the API key.*agents\.acceptApiKey: true/s);
    const trusted = JSON.parse(readFileSync(join(newHome, '.claude.json'), 'utf8')) as { projects?: Record<string, { hasTrustDialogAccepted?: boolean }> };
    assert.equal(trusted.projects?.[fresh]?.hasTrustDialogAccepted, true, 'the trust dialog was answered with the choice that trusts');
    assert.equal((await cmux.cli(['kill', 'w3'])).exitCode, 0);

    const other = join(cmux.base, 'fresh-project-2');
    mkdirSync(other);
    const home2 = prepareClaudeHome(join(cmux.base, 'new-user-home-2'), { returning: false });
    const accepted = await cmux.cli(['spawn', 'w4', '--cwd', other, '--env', `HOME=${home2}`, ...apiOf('w4'), '--task', 'first task of a new user'], { timeoutMs: 180_000 });
    assert.equal(accepted.exitCode, 0, `${accepted.stdout}\n${accepted.stderr}`);
    assert.deepEqual(await promptsOf('w4', 0, 1), [`${workerPreamble('w4', other)}\n\nfirst task of a new user`]);
    const state = JSON.parse(readFileSync(join(home2, '.claude.json'), 'utf8')) as { customApiKeyResponses?: { approved: string[] } };
    assert.deepEqual(state.customApiKeyResponses?.approved, [FAKE_API_KEY.slice(-20)]);
  });

  it('never reports delivered when Claude Code does not confirm the prompt: send fails and says why', async () => {
    // The same program with its hooks silenced: the text is typed and submitted, but nothing
    // tells cmux that Claude took it.
    const spawned = await cmux.cli(['spawn', 'w7', '--cwd', work, '--command', `env CMUX_HOOK= ${command}`, ...apiOf('w7')], { timeoutMs: 180_000 });
    assert.equal(spawned.exitCode, 0, `${spawned.stdout}\n${spawned.stderr}`);
    const sent = await cmux.cli(['send', 'w7', 'is anybody listening'], { timeoutMs: 120_000 });
    assert.notEqual(sent.exitCode, 0);
    assert.match(String(sent.stderr), /never reported taking it \(no prompt hook event carried it\)/);
    const stored = (await messages()).find((m) => m.to === 'w7' && m.subject === 'is anybody listening');
    assert.equal(stored?.status, 'dead');
  });

  it('brings Claude Code back after a stop with its conversation (--resume and the session id)', async () => {
    const { sessionId } = registry().w1!;
    assert.ok(sessionId);
    assert.equal((await cmux.cli(['stop'])).exitCode, 0);
    const start = await cmux.cli(['start'], { timeoutMs: 240_000 });
    assert.equal(start.exitCode, 0, `${start.stdout}\n${start.stderr}`);
    await waitStatus('w1', 'idle', 120_000);
    const { windowId } = (await api.call<{ windowId: string }>('GET', '/api/agents/w1')).body;
    const started = (await tmux('display-message', '-p', '-t', windowId, '#{pane_start_command}')).stdout;
    assert.match(started, new RegExp(`--resume ${sessionId}`));
    const seen = fake.prompts('w1').length;
    assert.equal((await cmux.cli(['send', 'w1', 'do you remember me'], { timeoutMs: 120_000 })).exitCode, 0);
    assert.deepEqual(await promptsOf('w1', seen, 1), ['do you remember me']);
    const turn = fake.turns('w1').at(-1)!;
    const earlier = (turn.request.body?.messages ?? []).filter((m) => m.role === 'user').length;
    assert.ok(earlier > 1, `the resumed conversation carries the earlier turns (${earlier} user messages)`);
  });

  it('fails POST /api/agents when the agent exits while starting', async () => {
    const response = await api.call<{ error: string; code: string }>('POST', '/api/agents', { name: 'w5', command: `${CLAUDE_BIN} --no-such-flag`, cwd: work });
    assert.notEqual(response.status, 201);
    assert.equal(response.body.code, 'CMUX_ERR_AGENT_NOT_READY');
    assert.match(response.body.error, /exited while starting/);
  });

  it('says how to run Claude Code as root instead of failing silently', async () => {
    const noSandbox = join(cmux.base, 'no-sandbox.yaml');
    writeFileSync(noSandbox, readFileSync(cmux.env.CMUX_CONFIG!, 'utf8').replace('"IS_SANDBOX":"1"', '"IS_SANDBOX":"0"'));
    const doctor = await cmux.cli(['doctor', '--json'], { env: { CMUX_CONFIG: noSandbox } });
    const check = (JSON.parse(String(doctor.stdout)) as Array<{ name: string; level: string; fix?: string }>).find((c) => c.name === 'agent command')!;
    const spawn = await cmux.cli(['spawn', 'w6', '--cwd', work], { env: { CMUX_CONFIG: noSandbox } });
    if (process.getuid!() === 0) {
      assert.equal(check.level, 'fail');
      assert.match(check.fix!, /IS_SANDBOX/);
      assert.notEqual(spawn.exitCode, 0);
      assert.match(String(spawn.stderr), /IS_SANDBOX=1/);
    } else {
      assert.equal(check.level, 'ok');
      assert.equal(spawn.exitCode, 0, String(spawn.stderr));
    }
  });

  // Last: a limit marks every agent of the account (the supervisor too), and the fake refuses
  // every agent's turns while it lasts.
  it('reads `limited` within 2 s of a usage limit Claude waits out by itself; a message sent meanwhile waits with the reason and is typed once after Claude got through, with no "continue"', async () => {
    const seen = fake.turns('w1').length;
    assert.equal((await api.call('POST', '/api/agents/w1/message', { text: 'Go on. LIMIT 20' })).status, 202);
    const refused = await eventually(async () => fake.turns('w1').slice(seen).find((t) => t.request.limited), Boolean, 60_000);
    const limited = await eventually(async () => (await api.call<Array<{ id: string; status: string; limitedUntil?: string }>>('GET', '/api/agents')).body.find((a) => a.id === 'w1'), (a) => a?.status === 'limited', 30_000);
    const after = Date.now() - refused!.request.finishedAt!;
    assert.ok(after < 2_000 + 1_000, `limited ${after} ms after the 429`);
    const until = Date.parse(limited!.limitedUntil!);
    assert.ok(until >= refused!.request.finishedAt! + 19_000 && until <= refused!.request.finishedAt! + 90_000, `the reset ${limited!.limitedUntil} is the one Claude names (the fake's, 20 s ahead, to the minute)`);
    assert.equal(await statusOf('supervisor'), 'limited', 'the agents of the same account read limited too');
    const sent = await api.call<{ id: string }>('POST', '/api/agents/w1/message', { text: 'after the limit' });
    const stored = async () => (await api.call<Array<{ id: string; status: string; detail: string | null; deliveredAt?: string }>>('GET', '/api/messages?limit=50')).body.find((m) => m.id === sent.body.id);
    const waiting = await eventually(stored, (m) => /^held \(limit\): usage limit of its claude-code account, seen on w1's screen; its program retries by itself/.test(m?.detail ?? ''), 10_000);
    assert.equal(waiting!.status, 'queued');
    // Claude retries once the fake's retry-after has passed, and gets through: the limit is over.
    const through = await eventually(async () => fake.turns('w1').slice(seen).find((t) => !t.request.limited && t.request.finishedAt !== null), Boolean, 90_000);
    assert.match(through!.prompt, /LIMIT 20$/, 'the same turn, retried by Claude itself');
    const delivered = await eventually(stored, (m) => m?.status === 'delivered', 60_000);
    assert.ok(Date.parse(delivered!.deliveredAt!) >= through!.request.at, 'typed once Claude got through');
    await eventually(async () => fake.prompts('w1').filter((p) => p.includes('after the limit')).length, (n) => n === 1, 60_000);
    await waitStatus('w1', 'idle', 60_000);
    assert.deepEqual(fake.prompts('w1').slice(seen), ['Go on. LIMIT 20', 'Go on. LIMIT 20', 'after the limit'], 'the limited turn, its retry, the held message once, and no "continue"');
    assert.notEqual(await statusOf('supervisor'), 'limited', 'its account-mates are free again');
  });
});
