import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { createAgentDeps, typeMessage, type TypingJournal } from '../../apps/agents/index.ts';
import { createLogger, loadConfig, type TmuxClient } from '../../apps/core/src/index.ts';
import { sumUsage, type RecordedRequest } from '../fakes/fake-http.ts';
import { callPrompt } from '../fakes/prompt-script.ts';
import { apiClient } from '../helpers/api.ts';
import { createInstance, processesMentioning, ROOT, type TestInstance } from '../helpers/instance.ts';
import { workerPreamble } from '../helpers/preamble.ts';
import { eventually } from '../helpers/tmux.ts';
import { checkStatusFollowsEvents, eventAt } from './status-events.ts';

// One end-to-end suite for a real agent CLI under a real cmux (PM2, tmux, HTTP), its model API a
// local fake: spawn with a task, busy and idle, interrupt, a tool call into the mailbox,
// compact, stop. Each CLI's file says how to run it and what its screen says.

export interface FakeApi {
  url: string;
  requests: RecordedRequest[];
  prompts(): string[];
  close(): Promise<void>;
}

export interface RealAgentSpec {
  // The suite's title, with the CLI's version.
  title: string;
  // The agent kind (apps/agents/kinds/<kind>/) cmux should pick for `command`.
  kind: string;
  startFake(): Promise<FakeApi>;
  // Prepares the CLI's own home under `dir` against the fake; returns the environment it needs.
  home(dir: string, fakeUrl: string, work: string): Record<string, string>;
  // The agent command cmux runs (it must let the shell tool reach cmux's API on loopback).
  command: string;
  // Prepares the folder the agent works in (a git repository makes Codex ask for trust).
  prepareWork(work: string): Promise<void>;
  // Whether a request is a main turn of the conversation (not a side request).
  isTurn(request: RecordedRequest): boolean;
  // What the screen says after an interrupt, and after compacting.
  interrupted: RegExp;
  compacted: RegExp;
  // The CLI's own config file in its home (relative to it), which cmux must not write.
  userConfig: string;
  // Its hook events that start and end a turn (the kind's adapter reads them).
  turnEvents: { start: string; end: string };
  // How the program meets a usage limit the fake answers `LIMIT <s>` with (429, the provider's
  // body and reset headers): whether it resumes by itself. Unset: not covered yet.
  limit?: { resumes: boolean };
  // A limit the program shows only when its reset is far off (Gemini waits out one under five
  // minutes unseen): `LIMIT <seconds>` then, its menu answered with `menuChoice`, whose
  // answer the screen shows as `stopped`. Read, held and answered here; its reset is minutes
  // away, so this runs last and the lift is the `limit` test's (the same code).
  farLimit?: { seconds: number; stopped: RegExp };
}

interface Agent {
  id: string;
  status: string;
  statusSince: string;
  kind: string;
  attention: { event: string } | null;
}

interface StoredMessage {
  from: string;
  to: string;
  subject: string;
  body?: string;
}

// The bundled demo agent, as a second worker: it runs a `$ cmux …` line of its task.
const DEMO = `${process.execPath} ${join(ROOT, 'dist', 'apps', 'demo-agent', 'index.js')}`;
// Long enough that each program shows it in its input box as a pasted block (Gemini over 5
// lines or 500 characters, Codex over 1000), the way a worker's task with its preamble is.
const pasted = (name: string) => Array.from({ length: 12 }, (_, i) => `${name} ${i + 1}: a line of a long task, pasted into the agent's input box and then submitted.`).join('\n');

// A tmux client for the agent's window that reads a paste late: its text reaches the pane only
// with the next Enter, which the program then reads right after it (Gemini 0.61 takes an Enter
// within 40 ms of a paste as a line break), as a busy program does.
function readsPastesLate(tmux: TmuxClient): TmuxClient {
  let held: { target: string; text: string } | null = null;
  return {
    ...tmux,
    async pasteText(target, text) {
      held = { target, text };
    },
    async sendKeys(target, ...keys) {
      if (held && keys[0] === 'Enter') {
        const { target: into, text } = held;
        held = null;
        await tmux.pasteText(into, text);
      }
      return tmux.sendKeys(target, ...keys);
    },
  };
}

// A tmux client whose first Enter fails (as a tmux call that timed out) without reaching the pane.
function firstEnterFails(tmux: TmuxClient): TmuxClient {
  let failed = false;
  return {
    ...tmux,
    async sendKeys(target, ...keys) {
      if (!failed && keys[0] === 'Enter') {
        failed = true;
        throw new Error('tmux send-keys timed out');
      }
      return tmux.sendKeys(target, ...keys);
    },
  };
}

export function describeRealAgent(spec: RealAgentSpec): void {
  describe(spec.title, { timeout: 600_000 }, () => {
    let cmux: TestInstance;
    let fake: FakeApi;
    let api: ReturnType<typeof apiClient>;
    let userConfig: { file: string; text: string };
    const statusOf = async () => (await api.call<Agent[]>('GET', '/api/agents')).body.find((a) => a.id === 'w1')?.status;
    const waitStatus = (status: string, timeoutMs: number) => eventually(statusOf, (s) => s === status, timeoutMs);
    const terminal = async () => (await api.call<{ text: string }>('GET', '/api/agents/w1/terminal?lines=60')).body.text;
    const send = async (text: string) => assert.equal((await api.call('POST', '/api/agents/w1/message', { text })).status, 202);
    const turns = () => fake.requests.filter((r) => spec.isTurn(r));

    before(async () => {
      fake = await spec.startFake();
      // Its status comes from its own hook events alone: the screen rules are off for the
      // status (they still guide typing), so every status this suite waits for is an event's.
      cmux = await createInstance({ userConfig: `agentKinds:\n  ${spec.kind}:\n    statusFromScreen: false\n` });
      api = apiClient(cmux);
      const work = join(cmux.base, 'work');
      mkdirSync(work);
      await spec.prepareWork(work);
      // Agents inherit the environment of the tmux server, which `cmux start` creates.
      const home = join(cmux.base, 'agent-home');
      const env = spec.home(home, fake.url, work);
      userConfig = { file: join(home, spec.userConfig), text: readFileSync(join(home, spec.userConfig), 'utf8') };
      const start = await cmux.cli(['start'], { env, timeoutMs: 120_000 });
      assert.equal(start.exitCode, 0, String(start.stderr));
      const task = 'Write a haiku about tmux.\nUse "quotes", $HOME, `backticks` and ünïcödé ✓.';
      const spawned = await cmux.cli(['spawn', 'w1', '--command', spec.command, '--cwd', work, '--task', task], { timeoutMs: 200_000 });
      assert.equal(spawned.exitCode, 0, `${spawned.stdout}\n${spawned.stderr}`);
      assert.match(String(spawned.stdout), /w1 is ready\ntask delivered \(message /);
      await eventually(async () => fake.prompts(), (p) => p.length > 0, 30_000).catch(async (error: Error) => {
        throw new Error(`${error.message}\nthe agent's screen:\n${await terminal()}\nrequests: ${fake.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      });
      assert.deepEqual(fake.prompts(), [`${workerPreamble('w1', work)}\n\n${task}`], 'the task arrives once, exactly, after the worker preamble');
    });
    after(async () => {
      await cmux?.cleanup();
      await fake?.close();
    });

    it('is read as its own kind, idle once the task is answered', async () => {
      await waitStatus('idle', 30_000);
      assert.equal((await api.call<Agent[]>('GET', '/api/agents')).body.find((a) => a.id === 'w1')?.kind, spec.kind);
    });

    // Its screen rules are off for the status here: busy and idle can come from its events only.
    it('reads busy while the API delays the answer and idle within 2 s of its end, each within 500 ms of its own hook event', () =>
      checkStatusFollowsEvents({
        api,
        agent: 'w1',
        turnEvents: spec.turnEvents,
        send,
        answerEnded: (marker) => turns().find((r) => JSON.stringify(r.body).includes(marker) && r.endedAt !== null)?.endedAt ?? undefined,
        prompts: () => fake.prompts(),
      }));

    it('interrupts with its interrupt key: the turn stops, status idle, the next message arrives alone', async () => {
      await send('Take your time. DELAY 60000');
      await waitStatus('busy', 20_000);
      // Busy comes from the prompt's hook event, which fires before the program asks the API:
      // the turn is interrupted once it is under way there.
      await eventually(async () => turns().find((r) => JSON.stringify(r.body).includes('Take your time.')), Boolean, 20_000);
      const started = Date.now();
      assert.equal((await api.call('POST', '/api/agents/w1/interrupt')).status, 202);
      await waitStatus('idle', 10_000);
      assert.ok(Date.now() - started < 10_000);
      const stopped = (await api.call<Agent[]>('GET', '/api/agents')).body.find((a) => a.id === 'w1');
      assert.equal(stopped?.attention, null, 'stopped, not done: no "done" mark (issue 26, finding 7)');
      await eventually(terminal, (t) => spec.interrupted.test(t), 5_000);
      await eventually(async () => turns().find((r) => JSON.stringify(r.body).includes('Take your time.'))?.aborted, (a) => a === true, 5_000);
      await send('after the interrupt');
      await eventually(async () => fake.prompts().at(-1), (p) => p === 'after the interrupt', 30_000);
      await waitStatus('idle', 30_000);
    });

    if (spec.limit) {
      it('reads `limited` within 2 s of a usage limit; a message sent meanwhile waits with the reason and is typed once after the reset, with one "continue" only where the program does not resume', async () => {
        await send('Go on. LIMIT 20');
        const refused = await eventually(async () => turns().find((r) => JSON.stringify(r.body).includes('LIMIT 20') && r.endedAt !== null), Boolean, 30_000);
        const limited = await eventually(async () => (await api.call<Array<Agent & { limitedUntil?: string }>>('GET', '/api/agents')).body.find((a) => a.id === 'w1'), (a) => a?.status === 'limited', 30_000);
        assert.ok(Date.now() - refused!.endedAt! < 2_000 + 1_000, `limited ${Date.now() - refused!.endedAt!} ms after the 429`);
        const until = Date.parse(limited!.limitedUntil!);
        assert.ok(until >= refused!.endedAt! + 19_000 && until <= refused!.endedAt! + 90_000, `the reset ${limited!.limitedUntil} is the fake's (20 s ahead, read to the minute)`);
        const sent = await api.call<{ id: string }>('POST', '/api/agents/w1/message', { text: 'after the limit' });
        const stored = async () => (await api.call<Array<{ id: string; status: string; detail: string | null; deliveredAt?: string }>>('GET', '/api/messages?limit=20')).body.find((m) => m.id === sent.body.id);
        const waiting = await eventually(stored, (m) => /^held \(limit\): usage limit of its \S+ account/.test(m?.detail ?? ''), 10_000);
        assert.equal(waiting!.status, 'queued');
        const delivered = await eventually(stored, (m) => m?.status === 'delivered', 150_000);
        assert.ok(Date.parse(delivered!.deliveredAt!) >= until, 'typed after the reset');
        await eventually(async () => fake.prompts().filter((p) => p.includes('after the limit')).length, (n) => n === 1, 60_000);
        // The continue follows what was held (it is sent at the reset, through the mailbox).
        const continues = () => fake.prompts().filter((p) => /\bcontinue$/.test(p)).length;
        if (!spec.limit!.resumes) await eventually(async () => continues(), (n) => n >= 1, 60_000);
        await waitStatus('idle', 60_000);
        assert.equal(continues(), spec.limit!.resumes ? 0 : 1, 'one "continue" for a program that does not resume by itself, none otherwise');
        assert.equal(fake.prompts().filter((p) => p.includes('after the limit')).length, 1, 'typed once');
      });
    }

    // What issue 26 met with Gemini: a pasted task whose Enter was lost stayed in the input box
    // while cmux said "delivered"; the agent then read `starting`, later messages waited with no
    // reason and were finally typed on top of it, into the same prompt.
    describe('the input box', () => {
      const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
      // cmux's own typist (the router's typeMessage), in this process, typing through `tmux`.
      const typeThrough = async (wrap: (tmux: TmuxClient) => TmuxClient, text: string) => {
        const deps = createAgentDeps(loadConfig({ env: cmux.env, cwd: cmux.base }), createLogger('test', { out: quiet, err: quiet }));
        const journal: TypingJournal = { resumed: null, note: () => true, isStopping: () => false };
        const message = { id: randomUUID(), ts: new Date().toISOString(), from: 'user', to: 'w1', subject: text.split('\n')[0]!, body: text };
        return typeMessage({ ...deps, tmux: wrap(deps.tmux) }, message, journal);
      };
      // The prompts from `seen` on, once `count` arrived and the agent is idle again.
      const promptsFrom = async (seen: number, count: number) => {
        await eventually(async () => fake.prompts().length, (n) => n >= seen + count, 60_000).catch(async (error: Error) => {
          throw new Error(`${error.message}\nthe agent's screen:\n${await terminal()}`);
        });
        await waitStatus('idle', 30_000);
        return fake.prompts().slice(seen);
      };

      it('a paste the program reads late, its Enter taken as a line break: submitted anyway, once, in a prompt of its own', async () => {
        const seen = fake.prompts().length;
        const text = pasted('late');
        const typed = await typeThrough(readsPastesLate, text);
        assert.equal(typed.outcome, 'delivered');
        assert.deepEqual(await promptsFrom(seen, 1), [text]);
      });

      it('an attempt that fails once the text is in: the retry submits what is in the box and never types it again', async () => {
        const seen = fake.prompts().length;
        const text = pasted('retried');
        const typed = await typeThrough(firstEnterFails, text);
        assert.equal(typed.outcome, 'delivered');
        assert.deepEqual(await promptsFrom(seen, 1), [text], 'the text arrived once, alone');
      });

      it('text left in the box reads idle; a queued message waits, says why, and is not typed on top of it; each then arrives alone', async () => {
        const seen = fake.prompts().length;
        const left = pasted('left');
        const { windowId } = (await api.call<{ windowId: string }>('GET', '/api/agents/w1')).body;
        await execa('tmux', ['-S', cmux.socket, 'load-buffer', '-b', 'left', '-'], { input: left, timeout: 10_000 });
        await execa('tmux', ['-S', cmux.socket, 'paste-buffer', '-p', '-d', '-b', 'left', '-t', windowId], { timeout: 10_000 });
        await eventually(terminal, (t) => /\[Pasted /.test(t), 10_000);
        await waitStatus('idle', 10_000);
        const sent = await api.call<{ id: string }>('POST', '/api/agents/w1/message', { text: 'FOLLOW-UP after the left text' });
        assert.equal(sent.status, 202);
        const detail = async () => (await api.call<Array<{ id: string; status: string; detail: string | null }>>('GET', '/api/messages?limit=20')).body.find((m) => m.id === sent.body.id);
        const waiting = await eventually(detail, (m) => m?.detail?.includes('input box') ?? false, 20_000);
        assert.equal(waiting?.status, 'queued');
        assert.match(waiting!.detail!, /input box holds text that was never submitted/);
        assert.equal(await statusOf(), 'idle', 'the agent reads idle, not starting');
        assert.doesNotMatch(await terminal(), /FOLLOW-UP/, 'nothing typed on top of the text in the box');
        assert.equal(fake.prompts().length, seen);
        await execa('tmux', ['-S', cmux.socket, 'send-keys', '-t', windowId, 'Enter'], { timeout: 10_000 });
        assert.deepEqual(await promptsFrom(seen, 2), [left, 'FOLLOW-UP after the left text'], 'each once, in a prompt of its own');
      });
    });

    it('runs `cmux mail send` with its shell tool: the message is in the history, from the agent', async () => {
      await send('Report back. RUN: cmux mail send --to user --subject tool-report-from-w1 --body done');
      const stored = await eventually(
        async () => (await api.call<StoredMessage[]>('GET', '/api/messages?limit=100')).body,
        (list) => list.some((m) => m.subject === 'tool-report-from-w1'),
        60_000,
      );
      const report = stored.find((m) => m.subject === 'tool-report-from-w1')!;
      assert.equal(report.from, 'w1');
      assert.equal(report.to, 'user');
      await eventually(terminal, (t) => /Ran it\./.test(t), 30_000);
      await waitStatus('idle', 30_000);
    });

    // cmux's MCP server, registered at spawn (issue 28): the fake model calls its tools.
    it('send_message through cmux\'s MCP server: a 40-line text with quotes, $VARS, backticks, tabs and emoji arrives byte for byte, once, from w1', async () => {
      const text = Array.from({ length: 40 }, (_, i) => `line ${i + 1}: "double" 'single' $HOME \${PATH} \`whoami\`\ttab\t🚀 naïve`).join('\n');
      await send(callPrompt('send_message', { to: 'user', text }));
      const stored = await eventually(async () => (await api.call<StoredMessage[]>('GET', '/api/messages?limit=100')).body, (list) => list.some((m) => m.body === text), 90_000).catch(async (error: Error) => {
        throw new Error(`${error.message}\nthe agent's screen:\n${await terminal()}`);
      });
      assert.deepEqual(stored.filter((m) => m.body === text).map((m) => [m.from, m.to]), [['w1', 'user']]);
      await waitStatus('idle', 30_000);
    });

    // A worker's handoff to another worker (the demo agent runs the `$ cmux mail done` line of
    // its task): the done report comes back to w1 as the tool's answer.
    it('handoff to another worker returns that worker\'s done report to the caller', async () => {
      const spawned = await cmux.cli(['spawn', 'w2', '--command', DEMO, '--cwd', join(cmux.base, 'work')], { timeoutMs: 120_000 });
      assert.equal(spawned.exitCode, 0, `${spawned.stdout}\n${spawned.stderr}`);
      const seen = fake.requests.length;
      await send(callPrompt('handoff', { to: 'w2', task: 'Check the build.\n$ cmux mail done "handed-off work finished"', wait_seconds: 300 }));
      const answered = await eventually(
        async () => fake.requests.slice(seen).find((r) => /outcome\\*"\s*:\s*\\*"done/.test(JSON.stringify(r.body))),
        Boolean,
        120_000,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}\nthe agent's screen:\n${await terminal()}`);
      });
      const body = JSON.stringify(answered!.body);
      assert.match(body, /from\\*"\s*:\s*\\*"w2/);
      assert.match(body, /text\\*"\s*:\s*\\*"handed-off work finished/);
      const board = (await api.call<Array<{ assignee: string; status: string }>>('GET', '/api/tasks')).body;
      assert.deepEqual(board.filter((t) => t.assignee === 'w2').map((t) => t.status), ['done']);
      // The report is also typed into w1 once its turn is over, from w2.
      await eventually(async () => fake.prompts().some((p) => p.startsWith('[w2] done: handed-off work finished')), Boolean, 60_000);
      await waitStatus('idle', 30_000);
      assert.equal((await cmux.cli(['kill', 'w2'])).exitCode, 0);
    });

    it('a worker has no supervisor tools: its spawn_worker call spawns nothing', async () => {
      const seen = fake.requests.length;
      await send(callPrompt('spawn_worker', { name: 'w9', task: 'x' }));
      await eventually(async () => fake.requests.slice(seen).filter((r) => spec.isTurn(r)).length, (n) => n >= 2, 60_000);
      await waitStatus('idle', 30_000);
      assert.equal((await api.call<Agent[]>('GET', '/api/agents')).body.some((a) => a.id === 'w9'), false);
    });

    it('registers cmux for the session only: the CLI\'s own config gets no MCP server from cmux', () => {
      const now = readFileSync(userConfig.file, 'utf8');
      assert.doesNotMatch(now, /mcp_?servers|cmux/i);
      for (const line of userConfig.text.split('\n')) assert.ok(now.includes(line), `the line ${JSON.stringify(line)} is still there`);
    });

    it('compacts with /compact', async () => {
      assert.equal((await api.call('POST', '/api/agents/w1/compact')).status, 202);
      await eventually(terminal, (t) => spec.compacted.test(t), 60_000);
      await waitStatus('idle', 30_000);
    });

    // What the fake billed each answer the program asked for as a turn of the conversation
    // (not its side requests, such as a title, which it keeps in no session log).
    it('`cmux usage` counts its tokens from its session log: exactly what the fake billed its turns', async () => {
      const billed = fake.requests.filter((r) => spec.isTurn(r) && r.usage).map((r) => r.usage!);
      assert.ok(billed.length >= 5, `${billed.length} turns billed`);
      const expected = sumUsage(billed);
      // The program writes a turn's usage to its session log once it has the whole answer, a
      // moment after the fake sent it: the last turn may not be there yet.
      const usageOfW1 = async () => {
        const usage = await cmux.cli(['usage', '--json'], { timeoutMs: 60_000 });
        assert.equal(usage.exitCode, 0, String(usage.stderr));
        return (JSON.parse(String(usage.stdout)) as { lines: Array<{ key: string; calls: number; input: number; output: number; cacheRead: number; cacheWrite: number }> }).lines.find((l) => l.key === 'w1');
      };
      const line = await eventually(usageOfW1, (l) => l?.calls === billed.length, 20_000).catch(usageOfW1);
      assert.deepEqual(line && { input: line.input, output: line.output, cacheRead: line.cacheRead, cacheWrite: line.cacheWrite }, expected);
      assert.equal(line?.calls, billed.length);
    });

    if (spec.farLimit) {
      const { seconds, stopped } = spec.farLimit;
      it(`reads \`limited\` within 2 s of a usage limit ${seconds} s away, answers the program's menu, and holds a message sent meanwhile with the reason, once`, async () => {
        const asked = Date.now();
        await send(`Go on. LIMIT ${seconds}`);
        const refused = await eventually(async () => turns().find((r) => JSON.stringify(r.body).includes(`LIMIT ${seconds}`) && r.endedAt !== null), Boolean, 30_000);
        const limited = await eventually(async () => (await api.call<Array<Agent & { limitedUntil?: string }>>('GET', '/api/agents')).body.find((a) => a.id === 'w1'), (a) => a?.status === 'limited', 30_000);
        assert.ok(Date.now() - refused!.endedAt! < 2_000 + 1_000, `limited ${Date.now() - refused!.endedAt!} ms after the 429`);
        const until = Date.parse(limited!.limitedUntil!);
        const reset = refused!.endedAt! + seconds * 1000;
        assert.ok(until >= reset - 5_000 && until <= reset + 61_000, `the reset ${limited!.limitedUntil} is the fake's (${seconds} s ahead, read to the minute)`);
        const sent = await api.call<{ id: string }>('POST', '/api/agents/w1/message', { text: 'after the far limit' });
        const stored = async () => (await api.call<Array<{ id: string; status: string; detail: string | null }>>('GET', '/api/messages?limit=20')).body.find((m) => m.id === sent.body.id);
        await eventually(stored, (m) => /^held \(limit\): usage limit of its \S+ account/.test(m?.detail ?? ''), 10_000);
        // Its menu answered, the turn ends: the agent could take a message now, but this one waits.
        await eventually(terminal, (t) => stopped.test(t), 30_000);
        await eventually(() => eventAt(api, 'w1', spec.turnEvents.end, asked), Boolean, 30_000);
        assert.equal((await stored())?.status, 'queued');
        assert.equal(fake.prompts().filter((p) => p.includes('after the far limit')).length, 0, 'not typed while the limit lasts');
        const notices = (await api.call<Array<{ to: string; subject: string }>>('GET', '/api/messages?limit=50')).body.filter((m) => m.to === 'supervisor' && new RegExp(`^\\[LIMIT\\] .*\\bw1\\b.*: ${spec.kind} usage limit`).test(m.subject));
        assert.equal(notices.length, 1, 'the supervisor hears of it once, however many ways the screen says it');
      });
    }

    it('stop leaves nothing: no agent process, no tmux server, no PM2', async () => {
      const stop = await cmux.cli(['stop'], { timeoutMs: 60_000 });
      assert.equal(stop.exitCode, 0, String(stop.stderr));
      const tmux = await execa('tmux', ['-S', cmux.socket, 'list-sessions'], { reject: false, timeout: 5_000 });
      assert.notEqual(tmux.exitCode, 0, 'the tmux server is gone');
      await eventually(async () => processesMentioning(cmux.base), (left) => left.length === 0, 15_000);
    });
  });
}
