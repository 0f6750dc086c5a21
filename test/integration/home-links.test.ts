import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { createInstance, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

// A link or a FIFO planted at every path a running cmux opens under CMUX_HOME (#25 finding 5):
// the link's target is neither read nor written, cmux names the path and what is wrong with it,
// the server keeps answering /health, and the rest of cmux goes on. One row per path and the
// way to make cmux open it: a new path cmux opens gets a row here.
describe('links and special files planted in CMUX_HOME', { timeout: 600_000 }, () => {
  let cmux: TestInstance;
  let token: string;
  const canary = `OUTSIDE-${randomUUID()}`;
  const day = new Date().toISOString().slice(0, 10);
  let attachment = '';
  let outsideFile: string;
  // A path or route with today's date and the day's archived terminal in it.
  const fill = (template: string) => template.replace('{day}', day).replace('{archive}', attachment);
  let outsideDir: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${cmux.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, warning: res.headers.get('x-cmux-warning') ?? '', text: await res.text() };
  };
  // Each trigger returns what cmux said (a status, warning header and body; a command's exit and
  // output; an app's log) and is labelled for the test's name.
  type Trigger = (path: string, said: RegExp) => Promise<string>;
  const labelled = (label: string, trigger: Trigger) => Object.assign(trigger, { label });
  const api = (method: string, path: string, body?: unknown) =>
    labelled(`${method} ${path.split('?')[0]}`, async () => {
      const res = await call(method, fill(path), body);
      return `${res.status} ${res.warning} ${res.text}`;
    });
  const cli = (...args: string[]) =>
    labelled(`cmux ${args.join(' ')}`, async () => {
      const res = await cmux.cli(args);
      return `exit ${res.exitCode}: ${String(res.stdout)} ${String(res.stderr)}`;
    });
  // An app's two logs (PM2 writes its stdout and stderr to files of their own).
  const logOf = (app: string) =>
    (['out', 'err'] as const).map((stream) => {
      const file = join(cmux.home, 'logs', `${app}.${stream}.log`);
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    });
  const lengthsOf = (app: string) => logOf(app).map((text) => text.length);
  // What an app logged since `lengths`, its out log's lines then its err log's.
  const loggedSince = (app: string, lengths: number[]) =>
    logOf(app)
      .map((text, i) => text.slice(lengths[i]))
      .join('');
  // The line an app logs after `poke` that names `path` and says what it is (its scans and polls
  // run every second), or all it logged meanwhile and what the poke returned.
  // How long each app's logs were just before the path was planted: an app may notice the path
  // at once (a file watcher), before its trigger runs, and says it only once while it lasts.
  let logsAtPlant = new Map<string, number[]>();
  const appLog = (app: string, poke: () => Promise<unknown> = async () => undefined) =>
    labelled(app, async (path, said) => {
      const before = logsAtPlant.get(app) ?? lengthsOf(app);
      const poked = await poke();
      const line = (text: string) => text.split('\n').find((l) => l.includes(path) && said.test(l));
      return eventually(async () => loggedSince(app, before), (text) => line(text) !== undefined, 30_000).then(
        (text) => line(text) ?? text,
        () => `${loggedSince(app, before)}\n(the poke returned ${JSON.stringify(poked)?.slice(0, 300)})`,
      );
    });
  // Messages sent while something was planted: each must be delivered in the end.
  const sent: string[] = [];
  const send = async () => {
    const res = await call('POST', '/api/messages', { to: 'supervisor', subject: 'a message while something is planted' });
    if (res.status === 202) sent.push((JSON.parse(res.text) as { id: string }).id);
    return res;
  };
  const junk = async () => appendFileSync(join(cmux.home, 'mailbox.jsonl'), `not a message ${randomUUID()}\n`);

  interface Row {
    // Relative to CMUX_HOME; {day} is today, {archive} an archived terminal of that day.
    path: string;
    folder?: boolean;
    // Makes cmux open the path; returns what cmux said (an answer, a command's output, a log).
    trigger: Trigger & { label: string };
    // Undoes what the trigger did besides refusing.
    undo?: () => Promise<unknown>;
  }
  // An app says what it cannot read once while it lasts: a path's row read from an app's log
  // comes before the path's other rows, which the app may notice first.
  const rows: Row[] = [
    { path: 'token', trigger: cli('open') },
    { path: 'mailbox.jsonl', trigger: appLog('cmux-router') },
    { path: 'mailbox.jsonl', trigger: api('POST', '/api/messages', { to: 'supervisor', subject: 'refused' }) },
    { path: 'mailbox.jsonl.queue', folder: true, trigger: api('POST', '/api/messages', { to: 'supervisor', subject: 'refused' }) },
    { path: 'mailbox.dead.jsonl', trigger: appLog('cmux-router', junk) },
    { path: 'agents.yaml', trigger: cli('spawn', 'refused', '--command', 'cat', '--no-wait') },
    { path: 'agents.yaml.queue', folder: true, trigger: cli('spawn', 'refused', '--command', 'cat', '--no-wait') },
    { path: 'projects.yaml', trigger: api('GET', '/api/projects') },
    { path: 'state', folder: true, trigger: api('GET', '/api/alerts') },
    { path: 'state/agent-token', trigger: cli('start') },
    { path: 'state/sessions.json', trigger: cli('start') },
    { path: 'state/router.json', trigger: appLog('cmux-router', send) },
    { path: 'state/dead-letters.json', trigger: appLog('cmux-router', junk) },
    { path: 'state/log-watcher.json', trigger: appLog('cmux-log-watcher') },
    { path: 'state/frontend.json', trigger: appLog('cmux-frontend-healer') },
    { path: 'state/agents.last-good.yaml', trigger: cli('spawn', 'lastgood', '--command', 'cat', '--no-wait'), undo: () => cmux.cli(['kill', 'lastgood']) },
    { path: 'state/alerts.jsonl', trigger: api('GET', '/api/alerts') },
    { path: 'state/alerts-acked.jsonl', trigger: api('GET', '/api/alerts') },
    { path: 'state/killed.jsonl', trigger: api('GET', '/api/killed-agents') },
    { path: 'state/messages.sqlite', trigger: cli('task', 'list') },
    { path: 'state/typing/supervisor.holder', trigger: cli('interrupt', 'supervisor') },
    { path: 'state/typing/supervisor.queue', folder: true, trigger: cli('interrupt', 'supervisor') },
    { path: 'state/typing/supervisor.lock', folder: true, trigger: cli('interrupt', 'supervisor') },
    { path: 'journal', folder: true, trigger: api('GET', '/api/journal/dates') },
    { path: 'journal/{day}', folder: true, trigger: api('GET', '/api/journal/search?q=killed') },
    { path: 'journal/{day}/journal.md', trigger: api('GET', '/api/journal?date={day}') },
    { path: 'journal/{day}/journal.md', trigger: api('GET', '/api/journal/search?q=killed') },
    { path: 'journal/{day}/journal.md.queue', folder: true, trigger: api('POST', '/api/journal/entry', { title: 'refused', content: '' }) },
    { path: 'journal/{day}/attachments', folder: true, trigger: api('GET', '/api/journal/files?date={day}') },
    { path: 'journal/{day}/attachments/{archive}', trigger: api('GET', '/api/journal/files/{day}/{archive}') },
    { path: 'journal/{day}/attachments/{archive}', trigger: api('GET', '/api/journal/search?q=killed') },
    { path: 'logs', folder: true, trigger: cli('logs') },
    { path: 'logs/cmux-router.err.log', trigger: appLog('cmux-log-watcher') },
    { path: 'logs/cmux-router.err.log', trigger: cli('logs', 'cmux-router') },
    { path: 'metrics', folder: true, trigger: appLog('cmux-log-watcher') },
    { path: 'metrics/{day}.jsonl', trigger: appLog('cmux-log-watcher') },
  ];

  // Everything outside CMUX_HOME a planted link points at, as it was.
  const outsideNow = () =>
    readdirSync(join(cmux.base, 'outside'), { recursive: true, encoding: 'utf8' })
      .sort()
      .map((name) => {
        const path = join(cmux.base, 'outside', name);
        const stat = statSync(path);
        return `${name} ${stat.mode.toString(8)} ${stat.isFile() ? readFileSync(path, 'utf8') : ''}`;
      });
  let outsideBefore: string[];

  before(async () => {
    cmux = await createInstance({ userConfig: 'healer:\n  browserCheck: "off"\n' });
    const start = await cmux.cli(['start'], { env: { CMUX_LOG_CHECK_INTERVAL: '1', CMUX_HEAL_INTERVAL: '1' }, timeoutMs: 180_000 });
    assert.equal(start.exitCode, 0, String(start.stderr));
    token = readFileSync(join(cmux.home, 'token'), 'utf8').trim();
    // A day of journal with an archived terminal and a kill, an alert acknowledged, a dead letter.
    assert.equal((await cmux.cli(['spawn', 'gone', '--command', 'cat', '--no-wait'])).exitCode, 0);
    assert.equal((await cmux.cli(['kill', 'gone'])).exitCode, 0);
    attachment = readdirSync(join(cmux.home, 'journal', day, 'attachments')).find((name) => name.includes('gone-pane'))!;
    assert.ok(attachment, 'the kill archived the terminal');
    await junk();
    await eventually(async () => existsSync(join(cmux.home, 'mailbox.dead.jsonl')), Boolean, 30_000);
    assert.equal((await cmux.cli(['interrupt', 'supervisor'])).exitCode, 0);
    // What the links point at: a file that reads like an error line, a journal and a log, and a folder.
    outsideDir = join(cmux.base, 'outside', 'folder');
    mkdirSync(join(outsideDir, 'attachments'), { recursive: true });
    outsideFile = join(cmux.base, 'outside', 'secret.txt');
    const text = `ERROR ${canary}: a line a log reader would alert on\n## 00:00 - killed ${canary}\n`;
    for (const file of [outsideFile, join(outsideDir, 'journal.md'), join(outsideDir, 'cmux-router.err.log'), join(outsideDir, 'attachments', attachment)]) {
      writeFileSync(file, text);
      chmodSync(file, 0o644);
    }
    outsideBefore = outsideNow();
  });
  after(async () => cmux?.cleanup());

  // Plants a link (to the outside file, or folder) or a FIFO at `path` and returns the undo.
  // cmux runs on meanwhile and may make the path again at any moment: a file is kept aside by a
  // hard link and replaced by a rename, so there is no moment without either; a folder is
  // moved aside, and what cmux made in its place meanwhile is dropped when it comes back.
  async function plant(path: string, as: 'link' | 'fifo', folder: boolean): Promise<() => void> {
    const full = join(cmux.home, path);
    const [planted, aside] = [`${full}.planted`, `${full}.aside`];
    mkdirSync(dirname(full), { recursive: true });
    if (as === 'link') symlinkSync(folder ? outsideDir : outsideFile, planted);
    else await execa('mkfifo', [planted], { timeout: 5_000 });
    const was = lstatSync(full, { throwIfNoEntry: false });
    if (was?.isDirectory()) renameSync(full, aside);
    else if (was) linkSync(full, aside);
    for (;;) {
      try {
        renameSync(planted, full);
        break;
      } catch {
        rmSync(full, { recursive: true, force: true });
      }
    }
    return () => {
      if (!was) return rmSync(full, { force: true });
      if (!was.isDirectory()) return renameSync(aside, full);
      rmSync(full, { recursive: true, force: true });
      renameSync(aside, full);
    };
  }

  for (const row of rows) {
    for (const as of ['link', 'fifo'] as const) {
      it(`${row.path} as a ${as === 'link' ? 'symbolic link' : 'FIFO'}: ${row.trigger.label} refuses it by name`, async (t) => {
        const path = fill(row.path);
        const full = join(cmux.home, path);
        logsAtPlant = new Map(['cmux-router', 'cmux-log-watcher', 'cmux-frontend-healer'].map((app) => [app, lengthsOf(app)]));
        const undo = await plant(path, as, row.folder ?? false);
        t.after(undo);
        const kind = as === 'link' ? /symbolic link/ : /FIFO/;
        const said = await row.trigger(full, kind);
        assert.ok(said.includes(full), `cmux names ${path}: ${said.slice(-600)}`);
        assert.match(said, kind);
        assert.ok(!said.includes(canary), 'what the link points at was not read');
        const health = await fetch(`http://127.0.0.1:${cmux.port}/health`, { signal: AbortSignal.timeout(5_000) });
        assert.ok(health.status === 200 || health.status === 503, `/health answers: ${health.status}`);
        assert.equal((await call('GET', '/api/agents')).status, 200, 'the rest of the server goes on');
        assert.deepEqual(outsideNow(), outsideBefore, 'nothing outside was written');
        await row.undo?.();
      });
    }
  }

  it('afterwards everything works again, every message sent meanwhile is delivered, and nothing planted reached an alert or a message', async () => {
    assert.equal((await send()).status, 202);
    const delivered = (list: Array<{ id: string; status: string }>) => sent.every((id) => list.some((m) => m.id === id && m.status === 'delivered'));
    await eventually(async () => JSON.parse((await call('GET', '/api/messages?limit=200')).text) as Array<{ id: string; status: string }>, delivered, 60_000);
    assert.equal((await call('POST', '/api/journal/entry', { title: 'after', content: 'all back' })).status, 201);
    const search = await call('GET', '/api/journal/search?q=all%20back');
    assert.equal(search.status, 200);
    assert.equal(search.warning, '');
    assert.equal((await cmux.cli(['interrupt', 'supervisor'])).exitCode, 0);
    assert.equal((await cmux.cli(['logs', 'cmux-router', '-n', '2'])).exitCode, 0);
    assert.equal((await call('GET', '/api/alerts')).status, 200);
    for (const file of ['mailbox.jsonl', 'state/alerts.jsonl']) assert.ok(!readFileSync(join(cmux.home, file), 'utf8').includes(canary), `${file} holds nothing from outside`);
    assert.deepEqual(outsideNow(), outsideBefore);
  });
});
