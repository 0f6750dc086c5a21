import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import { shellQuote } from '../../apps/core/src/index.ts';
import { apiClient } from '../helpers/api.ts';
import { createInstance, ROOT, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

interface Task {
  id: number;
  status: string;
  assignee: string | null;
}
interface Message {
  id: string;
  from: string;
  to: string;
  subject: string;
  body?: string;
  status: string;
  replyTo?: string;
}

// A startup menu like Claude Code's folder-trust dialog, then a prompt (test/fixtures/lagging-menu.mjs).
const MENU_KIND = [
  'agentKinds:',
  '  menu:',
  "    command: 'lagging-menu'",
  "    choiceCursor: '^\\s+❯\\s+'",
  "    status: { waiting: ['Enter to confirm · Esc to cancel'], idle: ['^❯ ?$'] }",
  '    startup:',
  "      - when: 'Is this a project you created or one you trust\\?'",
  "        choose: 'Yes, I trust this folder'",
  '',
].join('\n');

// What the task board, a spawn and a send say is what happened: a task is closed only once its
// worker has it, a spawn that does not wait still hands over its task (never into a dialog),
// a send that gives up leaves nothing to arrive later, a message comes from whoever sent it,
// and nothing is typed twice. The demo agent and a menu fixture, under real cmux.
describe('the board, spawn and send say only what happened', { timeout: 600_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const record = (name: string) => join(cmux.base, `${name}.jsonl`);
  const received = (name: string) =>
    existsSync(record(name)) ? readFileSync(record(name), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text) : [];
  const demo = (name: string) => `CMUX_DEMO_RECORD=${shellQuote(record(name))} ${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`;
  const task = async (id: number) => (await api.call<Task>('GET', `/api/tasks/${id}`)).body;
  const messages = async (agent: string) => (await api.call<Message[]>('GET', `/api/messages?agent=${agent}&limit=200`)).body;
  const screen = async (agent: string) => (await api.call<{ text: string }>('GET', `/api/agents/${agent}/terminal?lines=60`)).body.text;
  const statusOf = async (agent: string) => (await api.call<Array<{ id: string; status: string }>>('GET', '/api/agents')).body.find((a) => a.id === agent)?.status;
  const occurrences = (text: string, part: string) => text.split(part).length - 1;
  const spawnDemo = async (name: string) => {
    const spawned = await cmux.cli(['spawn', name, '--command', demo(name)]);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
  };

  before(async () => {
    cmux = await createInstance({ userConfig: MENU_KIND });
    api = apiClient(cmux);
  });
  after(async () => cmux?.cleanup());

  it('refuses a waiting send at once while cmux is stopped, and leaves nothing in the mailbox', async () => {
    try {
      const started = Date.now();
      const sent = await cmux.cli(['send', 'supervisor', 'are you there?']);
      assert.equal(sent.exitCode, 1, String(sent.stderr));
      assert.match(String(sent.stderr), /cmux is not running \(nothing answers http:\/\/127\.0\.0\.1:\d+\/health\): nothing was sent\. Start it with `cmux start`/);
      assert.ok(Date.now() - started < 30_000, 'said at once, not after the 120 s wait');
      const mailbox = join(cmux.home, 'mailbox.jsonl');
      assert.ok(!existsSync(mailbox) || !readFileSync(mailbox, 'utf8').includes('are you there?'), 'nothing queued to arrive later');
    } finally {
      const start = await cmux.cli(['start']);
      assert.equal(start.exitCode, 0, String(start.stderr));
    }
  });

  it('keeps a task assigned until its worker has it, and `mail done` closes the task the worker works on', async () => {
    await spawnDemo('w1');
    // The first job keeps w1 busy, then reports from w1's own window, as its last tool call.
    const first = await cmux.cli(['task', 'add', 'first job', '--assignee', 'w1', '--description', 'sleep 12\n$ cmux mail done "first job finished"', '--json']);
    assert.equal(first.exitCode, 0, String(first.stderr));
    const a = JSON.parse(String(first.stdout)) as Task;
    await eventually(() => task(a.id), (t) => t.status === 'working', 30_000);
    await eventually(() => statusOf('w1'), (s) => s === 'busy', 30_000);

    const second = await cmux.cli(['task', 'add', 'second job', '--assignee', 'w1', '--json']);
    assert.equal(second.exitCode, 0, String(second.stderr));
    const b = JSON.parse(String(second.stdout)) as Task;
    assert.equal(b.status, 'assigned');
    // Every look at the second task until it is working: it may be working only once its
    // assignment is delivered, and is never done.
    const seen: Array<{ task: string; message: string | undefined }> = [];
    await eventually(
      async () => {
        const [t, list] = await Promise.all([task(b.id), messages('w1')]);
        seen.push({ task: t.status, message: list.find((m) => m.subject === `task #${b.id}: second job`)?.status });
        return t.status;
      },
      (s) => s === 'working',
      60_000,
    );
    assert.ok(seen.some((s) => s.task === 'assigned' && s.message === 'queued'), `assigned while queued: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen.filter((s) => s.task !== 'assigned' && s.message !== 'delivered'), [], JSON.stringify(seen));
    assert.equal((await task(a.id)).status, 'done', 'the report closed the first task');
    assert.match(await screen('w1'), new RegExp(`task #${a.id} done`), 'and said which');
    const typed = received('w1');
    assert.equal(typed.length, 2);
    assert.ok(typed[0]!.startsWith(`task #${a.id}: first job\n`) && typed[1]!.startsWith(`task #${b.id}: second job\n`), JSON.stringify(typed));

    const asW1 = { env: { CMUX_AGENT_NAME: 'w1' } };
    const done = await cmux.cli(['mail', 'done', 'second job finished'], asW1);
    assert.equal(done.exitCode, 0, String(done.stderr));
    assert.match(String(done.stdout), new RegExp(`-> supervisor\\ntask #${b.id} done$`));
    const none = await cmux.cli(['mail', 'done', 'nothing left'], asW1);
    assert.equal(none.exitCode, 0, String(none.stderr));
    assert.match(String(none.stdout), /\nno task moved: w1 works on no task$/);
    const again = await cmux.cli(['mail', 'done', '--task', String(a.id), 'twice'], asW1);
    assert.equal(again.exitCode, 2);
    assert.match(String(again.stderr), new RegExp(`task #${a.id} is done already`));
  });

  it('gives what an agent spawns, sends and assigns as that agent\'s, says it once, and sends the worker\'s answers back to it', async () => {
    await spawnDemo('lead');
    const spawn = `$ cmux spawn w9 --command "${demo('w9')}" --task "look at the parser"`;
    assert.equal((await api.call('POST', '/api/agents/lead/message', { text: spawn })).status, 202);
    const [taskMessage] = await eventually(
      async () => (await messages('w9')).filter((m) => m.to === 'w9' && m.status === 'delivered'),
      (list) => list.length === 1,
      90_000,
    );
    assert.equal(taskMessage!.from, 'lead');
    const w9 = (await api.call<Array<{ id: string; createdBy: string }>>('GET', '/api/agents')).body.find((a) => a.id === 'w9')!;
    assert.equal(w9.createdBy, 'lead');
    const [typedTask] = received('w9');
    assert.ok(typedTask!.startsWith('[lead] You are w9, a worker agent'), typedTask);
    assert.equal(occurrences(typedTask!, 'look at the parser'), 1, 'the task under its preamble, once');
    await eventually(() => screen('lead'), (text) => /task delivered \(message /.test(text), 60_000);

    // The worker's answer (Claude Code's Stop hook reports it) goes to the agent that spawned it.
    const stop = await api.call('POST', '/api/agent-events', { agent: 'w9', event: 'Stop', payload: { last_assistant_message: 'the parser looks fine' } });
    assert.equal(stop.status, 202);
    const answer = await eventually(async () => (await messages('w9')).find((m) => m.from === 'w9' && m.subject === 'the parser looks fine'), Boolean, 30_000);
    assert.deepEqual([answer!.to, answer!.replyTo], ['lead', taskMessage!.id]);

    // A report `done: X` with body X, and an assignment whose title is its subject: each typed once.
    const report = await cmux.cli(['mail', 'send', '--from', 'w9', '--to', 'lead', '--subject', 'done: parser fixed', '--body', 'parser fixed']);
    assert.equal(report.exitCode, 0, String(report.stderr));
    assert.equal((await api.call('POST', '/api/agents/lead/message', { text: '$ cmux task add "Fix the lexer" --assignee w9' })).status, 202);
    const [, assignment] = await eventually(async () => received('w9'), (r) => r.length === 2, 60_000);
    assert.match(assignment!, /^\[lead\] task #\d+: Fix the lexer\nProject default, priority 3\.\n\nWhen it is finished, run `cmux mail done --task \d+/);
    assert.equal(occurrences(assignment!, 'Fix the lexer'), 1);
    const atLead = await eventually(async () => received('lead'), (r) => r.some((t) => t.startsWith('[w9]')), 30_000);
    assert.deepEqual(atLead.filter((t) => t.startsWith('[w9]')), ['[w9] done: parser fixed']);

    // `cmux compact` from an agent is its request, typed as the command itself.
    assert.equal((await api.call('POST', '/api/agents/lead/message', { text: '$ cmux compact w9' })).status, 202);
    const compact = await eventually(async () => (await messages('w9')).find((m) => m.to === 'w9' && m.body === '/compact' && m.status === 'delivered'), Boolean, 60_000);
    assert.equal(compact!.from, 'lead');
    assert.equal((await eventually(async () => received('w9'), (r) => r.length === 3, 30_000))[2], '/compact');
  });

  it('`spawn --no-wait` queues the task: the router types it in once the agent shows its prompt', async () => {
    const spawned = await cmux.cli(['spawn', 'w5', '--command', demo('w5'), '--task', 'hello w5', '--no-wait']);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    assert.match(String(spawned.stdout), /^spawned w5 \(window @\d+\)\ntask queued \(message [\w-]+\): the router types it in once w5 shows its prompt$/);
    const [typed] = await eventually(async () => received('w5'), (r) => r.length > 0, 60_000);
    assert.ok(typed!.startsWith('You are w5, a worker agent') && typed!.endsWith('Your task:\n\nhello w5'), typed);
    const registry = parseYaml(readFileSync(join(cmux.home, 'agents.yaml'), 'utf8')) as { agents: Record<string, { starting?: boolean }> };
    assert.equal(registry.agents.w5!.starting, undefined, 'its start is finished');
    await sleep(1_000);
    assert.equal(received('w5').length, 1, 'once');
  });

  it('`spawn --no-wait` never types into a startup dialog: the router answers it first, then types the task and what came after', async () => {
    const menuRecord = join(cmux.base, 'menu.record');
    const command = `MENU_PROMPT=1 MENU_LAG_MS=300 MENU_READY_MS=500 MENU_RECORD=${shellQuote(menuRecord)} ${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'test', 'fixtures', 'lagging-menu.mjs'))}`;
    const spawned = await cmux.cli(['spawn', 'w6', '--command', command, '--task', 'hello w6', '--no-wait']);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    const sent = await cmux.cli(['send', 'w6', 'and then this', '--no-wait']);
    assert.equal(sent.exitCode, 0, String(sent.stderr));
    const lines = () => (existsSync(menuRecord) ? readFileSync(menuRecord, 'utf8').trim().split('\n') : []);
    const seen = await eventually(async () => lines(), (l) => l.filter((x) => x.startsWith('prompt got')).length >= 2, 90_000);
    await sleep(1_000);
    assert.deepEqual(lines(), seen, 'nothing more');
    assert.equal(seen.length, 3, JSON.stringify(seen));
    assert.equal(seen[0], 'chose Yes, I trust this folder');
    const task = JSON.parse(seen[1]!.slice('prompt got '.length)) as string;
    assert.ok(task.startsWith('You are w6, a worker agent') && task.endsWith('Your task:\n\nhello w6'), task);
    assert.equal(seen[2], 'prompt got "and then this"');
  });

  it('withdraws a waiting send that gives up: it is never typed in afterwards', async () => {
    assert.equal((await api.call('POST', '/api/agents/w1/message', { text: 'sleep 300' })).status, 202);
    await eventually(() => statusOf('w1'), (s) => s === 'busy', 30_000);
    const sent = await cmux.cli(['send', 'w1', 'too late', '--timeout', '2']);
    assert.equal(sent.exitCode, 1);
    assert.match(String(sent.stderr), /message [\w-]+ was not delivered to w1 within 2 s \(w1 was not ready for it\); it was withdrawn and will not be typed/);
    const withdrawn = (await messages('w1')).find((m) => m.body === 'too late');
    assert.equal(withdrawn?.status, 'withdrawn');
    // w1 is idle at once, and what comes next is typed in: the withdrawn one is not.
    assert.equal((await api.call('POST', '/api/agents/w1/interrupt')).status, 202);
    assert.equal((await api.call('POST', '/api/agents/w1/message', { text: 'after it' })).status, 202);
    const typed = await eventually(async () => received('w1'), (r) => r.includes('after it'), 60_000);
    assert.ok(!typed.includes('too late'), JSON.stringify(typed));
  });
});
