import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { makeRepo } from '../helpers/git-repo.ts';
import { createInstance, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

const TOKEN = 'hostile-secrets-token-0123456789abcdef';
const SECRET = 'hook-secret-for-replays';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

// Every file under `dir`, recursively.
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? filesUnder(path) : e.isFile() ? [path] : [];
  });
}

// A file's bytes, or null when it went between the listing and the read: a temporary file an
// atomic write renamed into place (the router's cursor, say), whose bytes are in the file it became.
function readIfThere(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

// The running cmux attacked through its token, its files, its webhooks and its windows.
describe('secrets, planted files and replays against a running cmux', { timeout: 300_000 }, () => {
  let cmux: TestInstance;
  let extraLog: string;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`http://127.0.0.1:${cmux.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, json: () => JSON.parse(text) as any, text };
  };
  const mailbox = () =>
    (existsSync(join(cmux.home, 'mailbox.jsonl')) ? readFileSync(join(cmux.home, 'mailbox.jsonl'), 'utf8') : '')
      .split('\n')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as { id: string; from: string; to: string; subject: string; body?: string }];
        } catch {
          return []; // the torn fragment
        }
      });

  before(async () => {
    cmux = await createInstance({ userConfig: '' });
    extraLog = join(cmux.base, 'extra.log');
    writeFileSync(extraLog, '');
    writeFileSync(cmux.env.CMUX_CONFIG!, `webhooks:\n  sources:\n    github: { secret: "${SECRET}" }\nlogWatcher:\n  files: [${JSON.stringify(extraLog)}]\n`);
    // The token comes from the environment: it must reach no agent window (L6).
    // CI=true, as a CI job has it, must not reach the windows either: agents read it as "no terminal".
    const start = await cmux.cli(['start'], { env: { CMUX_TOKEN: TOKEN, CMUX_LOG_CHECK_INTERVAL: '1', CI: 'true', GITHUB_ACTIONS: 'true' } });
    assert.equal(start.exitCode, 0, String(start.stderr));
    assert.match(String(start.stdout), /dashboard: http:\/\/127\.0\.0\.1:\d+\/\?code=[A-Za-z0-9_-]+/);
    assert.ok(!String(start.stdout).includes(TOKEN));
    cmux.env.CMUX_TOKEN = TOKEN;
  });
  after(async () => cmux?.cleanup());

  it('exports CMUX_TOKEN, CI or GITHUB_ACTIONS into no tmux window (L6)', async () => {
    const panes = (await execa('tmux', ['-S', cmux.socket, 'list-panes', '-a', '-F', '#{window_name} #{pane_pid}'], { timeout: 5_000 })).stdout.trim().split('\n');
    assert.ok(panes.length >= 2, panes.join(','));
    for (const pane of panes) {
      const [name, pid] = pane.split(' ');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      assert.ok(environ.includes('CMUX_HOME='), `${name}: environment readable`);
      assert.ok(!environ.includes(TOKEN) && !environ.includes('CMUX_TOKEN='), `${name} has the token`);
      const names = environ.split('\0').map((entry) => entry.split('=')[0]);
      assert.ok(!names.includes('CI') && !names.includes('GITHUB_ACTIONS'), `${name} has a CI marker`);
    }
  });

  it('refuses to register a system window as an agent (L4)', async () => {
    const res = await call('POST', '/api/agents/register', { id: 'hijack', window: 'cmux' });
    assert.equal(res.status, 400, res.text);
    assert.match(res.json().error, /cmux's own \(tmux.systemWindows\)/);
    const windows = (await execa('tmux', ['-S', cmux.socket, 'list-windows', '-a', '-F', '#{window_name}'], { timeout: 5_000 })).stdout.split('\n');
    assert.ok(windows.includes('cmux'));
    assert.equal((await call('DELETE', '/api/agents/hijack')).status, 404);
  });

  it('a torn last mailbox line swallows nothing: the next POST is delivered, only the fragment is dead (M3)', async () => {
    appendFileSync(join(cmux.home, 'mailbox.jsonl'), '{"id":"torn","ts":"2026-11-27T21:0');
    const posted = await call('POST', '/api/messages', { to: 'user', subject: 'after a torn line' });
    assert.equal(posted.status, 202);
    const { id } = posted.json() as { id: string };
    const page = await eventually(async () => (await call('GET', '/api/messages?limit=100')).json() as Array<{ id: string; status: string }>, (list) => list.some((m) => m.id === id && m.status === 'delivered'), 30_000);
    assert.ok(page.find((m) => m.id === id));
    const dead = await eventually(async () => (existsSync(join(cmux.home, 'mailbox.dead.jsonl')) ? readFileSync(join(cmux.home, 'mailbox.dead.jsonl'), 'utf8') : ''), (t) => t.includes('torn'), 30_000);
    assert.equal(dead.split('\n').filter(Boolean).length, 1, dead);
    assert.ok(!dead.includes(id), 'the message was not glued to the fragment');
  });

  it('stores a replayed webhook once: same delivery id, or the same signed body under another event header (L5)', async () => {
    const body = JSON.stringify({ action: 'opened', number: 42 });
    const send = (headers: Record<string, string>) => call('POST', '/api/webhooks/github', body, { authorization: '', 'x-hub-signature-256': sign(body), ...headers });
    assert.equal((await send({ 'x-github-event': 'pull_request', 'x-github-delivery': 'delivery-1' })).status, 202);
    const again = await send({ 'x-github-event': 'pull_request', 'x-github-delivery': 'delivery-1' });
    assert.equal(again.status, 200);
    assert.equal(again.json().duplicate, true);
    assert.equal((await send({ 'x-github-event': 'push', 'x-github-delivery': 'delivery-2' })).status, 200, 'the signed body under another event header');
    assert.equal((await send({ 'x-github-event': 'push' })).status, 200);
    assert.equal(mailbox().filter((m) => m.from === 'webhook:github').length, 1);
  });

  it('refuses to write through a link planted in CMUX_HOME, and says so (L3)', async () => {
    const outside = join(cmux.base, 'outside');
    mkdirSync(outside);
    const day = join(cmux.home, 'journal', new Date().toISOString().slice(0, 10));
    mkdirSync(day, { recursive: true });
    symlinkSync(join(outside, 'journal.md'), join(day, 'journal.md'));
    // Also the 5xx that L1 needs: the request carries the token in its query string.
    const res = await call('POST', `/api/journal/entry?token=${TOKEN}`, { title: 't', content: 'c' }, { authorization: '' });
    assert.equal(res.status, 500);
    assert.equal(res.json().code, 'CMUX_ERR_HOME_UNSAFE');
    assert.match(res.json().error, /is a symbolic link/);
    assert.equal(existsSync(join(outside, 'journal.md')), false);
  });

  it('after a 5xx with ?token= and a log line showing the token, the token is in no file under CMUX_HOME (L1)', async () => {
    appendFileSync(extraLog, `ERROR upstream said: token ${TOKEN} rejected; Authorization: Bearer ${TOKEN}\n`);
    // Both errors reach the supervisor as alerts: the server's 5xx line and the extra log's.
    await eventually(async () => mailbox().filter((m) => m.subject.startsWith('[ALERT]')), (alerts) => alerts.some((a) => a.subject.includes('cmux-server')) && alerts.some((a) => a.subject.includes('upstream said')), 60_000);
    const serverLog = filesUnder(join(cmux.home, 'logs')).map((f) => readFileSync(f, 'utf8')).join('');
    assert.match(serverLog, /POST \/api\/journal\/entry\?token=\[redacted\]/);
    const leaks = filesUnder(cmux.home).filter((f) => readIfThere(f)?.includes(TOKEN));
    assert.deepEqual(leaks, []);
  });

  it('prints a fresh one-time URL with `cmux open`, and refuses bad arguments clearly', async () => {
    const open = await cmux.cli(['open']);
    assert.equal(open.exitCode, 0, String(open.stderr));
    assert.match(String(open.stdout), /\?code=/);
    const bogus = await cmux.cli(['open', '--bogus']);
    assert.notEqual(bogus.exitCode, 0);
    assert.match(String(bogus.stderr), /unknown option/);
    assert.doesNotMatch(String(bogus.stderr), /\n\s+at .+:\d+:\d+/);
  });

  it('hands CMUX_TOKEN to nothing cmux-server starts (a repository\'s git hook); a PM2 restart still gets it (issue 25)', async () => {
    const repo = await makeRepo(join(cmux.base, 'hooked'));
    const seen = join(cmux.base, 'hook-environment.txt');
    writeFileSync(join(repo, '.git', 'hooks', 'post-checkout'), `#!/bin/sh\nenv > ${JSON.stringify(seen)}\n`, { mode: 0o755 });
    // cmux-server makes the worktree: git runs the repository's post-checkout hook as its child.
    const spawned = await call('POST', '/api/agents', { name: 'hooked', cwd: repo, worktree: true });
    assert.equal(spawned.status, 201, spawned.text);
    const environment = readFileSync(seen, 'utf8');
    assert.match(environment, /^CMUX_HOME=/m, 'the hook ran with the server\'s environment');
    assert.ok(!environment.includes(TOKEN) && !/^CMUX_TOKEN=/m.test(environment), 'the hook got the token');
    assert.equal((await call('DELETE', '/api/agents/hooked?force=true')).status, 200);
    // The limit README's Security section states: the environment a process began with stays
    // readable in /proc by its user, whatever the process does.
    const serverPid = async () => (JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; pid: number | null }> }).apps.find((a) => a.name === 'cmux-server')?.pid ?? null;
    const before = (await serverPid())!;
    assert.ok(readFileSync(`/proc/${before}/environ`, 'utf8').includes(TOKEN));
    process.kill(before, 'SIGKILL');
    await eventually(serverPid, (pid) => pid !== null && pid !== before, 60_000);
    const answer = await eventually(() => call('GET', '/api/agents').catch(() => null), (res) => res !== null && res.status !== 503, 60_000);
    assert.equal(answer?.status, 200, 'the restarted server has the token it was started with');
  });
});

describe('a CMUX_HOME others may write in (M5)', { timeout: 120_000 }, () => {
  let cmux: TestInstance;
  before(async () => {
    cmux = await createInstance();
    mkdirSync(cmux.home, { recursive: true });
    chmodSync(cmux.home, 0o777);
  });
  after(async () => cmux?.cleanup());

  it('is refused by start, with the fix, before anything runs; doctor says the same', async () => {
    const start = await cmux.cli(['start']);
    assert.notEqual(start.exitCode, 0);
    assert.match(String(start.stderr), /writable by group or others \(mode 0777\).*chmod 700/s);
    assert.equal(existsSync(join(cmux.pm2Home, 'pm2.pid')), false, 'no PM2 daemon was started');
    assert.deepEqual(readdirSync(cmux.home), [], 'nothing was written into it');
    const doctor = JSON.parse(String((await cmux.cli(['doctor', '--json'])).stdout)) as Array<{ name: string; level: string; detail: string }>;
    const home = doctor.find((c) => c.name === 'CMUX_HOME')!;
    assert.equal(home.level, 'fail');
    assert.match(home.detail, /chmod 700/);
  });
});
