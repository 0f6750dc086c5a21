import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createAgent, startAgent } from '../../apps/agents/index.ts';
import { createLogger, openHistory } from '../../apps/core/src/index.ts';
import { buildApp, routesOf } from '../../apps/server/app.ts';
import { createHookStore } from '../../apps/server/agents/hook-events.ts';
import { createStatusMonitor } from '../../apps/server/agents/status-monitor.ts';
import { createHub } from '../../apps/server/ws/hub.ts';
import { agentHarness } from '../helpers/agents.ts';
import { createInstance, type TestInstance } from '../helpers/instance.ts';

const TOKEN = 'hostile-suite-token-0123456789';
const PWNED = join(tmpdir(), `cx-pwned-${process.pid}`);

// Strings that have broken tools like this one: tmux targets, shell, traversal, unicode, control characters.
const NASTY = [
  '', ' ', '<script>alert(1)</script>', '../x', '../../../../etc/passwd', '..%2F..%2Fx', 'a:b', '%1', '@2', '-t', 'a;b', 'a b', 'x'.repeat(200), 'x'.repeat(100_000),
  `$(touch ${PWNED})`, `\`touch ${PWNED}\``, `; touch ${PWNED}`, '|id', '\u0000', '\u001b[31mred', '\r\nX-Injected: 1', '\ud800', '\u202eevil', 'ﬁ', '名前', '🚀',
];
const WRONG_TYPES: unknown[] = [null, 42, true, [], {}, [1, 2], { nested: { deep: 1 } }];
const deepJson = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
// A lone surrogate cannot be encoded; send the invalid UTF-8 bytes it would be.
const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
};

interface Case {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  url: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

type Kind = 'params' | 'body' | 'query';

// Every route the server serves, and the hostile input each gets: in its path parameters, its
// JSON body, its query. A route missing here fails the first test: a new route has to be
// given its cases.
const ROUTES: Record<string, Kind[]> = {
  'GET /api/webhooks/health': ['query'],
  'GET /health': ['query'],
  'POST /api/webhooks/:source': ['params', 'body'],
  'GET /': ['query'],
  'GET /assets/*': ['params'],
  'GET /favicon.ico': ['query'],
  'POST /api/login': ['body'],
  'POST /api/logout': ['body'],
  'POST /api/login/code': ['body'],
  'GET /api/processes': ['query'],
  'GET /api/agents': ['query'],
  'POST /api/agents': ['body'],
  'GET /api/agents/:id': ['params'],
  'DELETE /api/agents/:id': ['params', 'query'],
  'GET /api/agents/:id/diff': ['params'],
  'POST /api/agents/:id/merge': ['params', 'body'],
  'POST /api/agents/:id/message': ['params', 'body'],
  'POST /api/agents/:id/interrupt': ['params', 'body'],
  'POST /api/agents/:id/compact': ['params', 'body'],
  'GET /api/agents/:id/terminal': ['params', 'query'],
  'POST /api/agents/register': ['body'],
  'DELETE /api/agents/register/:id': ['params'],
  'POST /api/agent-events': ['body'],
  'GET /api/agent-events': ['query'],
  'GET /api/messages': ['query'],
  'POST /api/messages': ['body'],
  'POST /api/events': ['body'],
  'GET /api/journal': ['query'],
  'POST /api/journal/entry': ['body'],
  'GET /api/journal/dates': ['query'],
  'GET /api/journal/search': ['query'],
  'GET /api/alerts': ['query'],
  'GET /api/ws': [],
  'GET /api/projects': ['query'],
  'POST /api/projects': ['body'],
  'DELETE /api/projects/:name': ['params', 'query'],
  'GET /api/tasks': ['query'],
  'POST /api/tasks': ['body'],
  'GET /api/tasks/:id': ['params'],
  'PATCH /api/tasks/:id': ['params', 'body'],
};

// Input that is well-formed but wrong for the projects and the task board: a folder that is
// missing or not one, an unknown project, task or agent, a status not on the board.
const SPECIFIC: Record<string, Case[]> = {
  'POST /api/projects': [
    { method: 'POST', url: '/api/projects', body: { root: '/nonexistent/folder' } },
    { method: 'POST', url: '/api/projects', body: { root: 'relative/folder' } },
    { method: 'POST', url: '/api/projects', body: { root: '/etc/hostname' } },
    { method: 'POST', url: '/api/projects', body: { root: '/', name: '../x' } },
    { method: 'POST', url: '/api/projects', body: { root: '/tmp', name: 'default' } },
    { method: 'POST', url: '/api/projects', body: { root: '/tmp', name: 'ok', branch: '../x' } },
  ],
  'DELETE /api/projects/:name': [
    { method: 'DELETE', url: '/api/projects/nope' },
    { method: 'DELETE', url: '/api/projects/default' },
  ],
  'GET /api/tasks': [{ method: 'GET', url: '/api/tasks?project=nope' }, { method: 'GET', url: '/api/tasks?status=bogus' }],
  'POST /api/tasks': [
    { method: 'POST', url: '/api/tasks', body: { title: 'x', project: 'nope' } },
    { method: 'POST', url: '/api/tasks', body: { title: 'x', status: 'bogus' } },
    { method: 'POST', url: '/api/tasks', body: { title: 'x', parent: 999 } },
    { method: 'POST', url: '/api/tasks', body: { title: 'x', assignee: 'nobody' } },
    { method: 'POST', url: '/api/tasks', body: { title: 'x', priority: 9 } },
    { method: 'POST', url: '/api/tasks', body: { title: '   ' } },
  ],
  'GET /api/tasks/:id': [{ method: 'GET', url: '/api/tasks/999' }, { method: 'GET', url: '/api/tasks/0' }],
  'PATCH /api/tasks/:id': [
    { method: 'PATCH', url: '/api/tasks/999', body: { status: 'done' } },
    { method: 'PATCH', url: '/api/tasks/1', body: { status: 'bogus' } },
  ],
  'GET /api/agents': [{ method: 'GET', url: '/api/agents?project=nope' }],
  'GET /api/messages': [{ method: 'GET', url: '/api/messages?project=nope' }],
};

// Bad inputs for one route: each must get a 4xx with an {error} body (or a plain success for a
// route that takes anything), never a 5xx.
function casesFor(route: string): Case[] {
  const [method, url] = route.split(' ') as [Case['method'], string];
  const kinds = ROUTES[route] ?? [];
  const withId = (id: string) => url.replace(':id', enc(id)).replace(':source', enc(id)).replace(':name', enc(id)).replace('*', enc(id));
  const bodies: unknown[] = [...WRONG_TYPES, ...NASTY.map((n) => ({ name: n, text: n, to: n, subject: n, title: n, content: n, id: n, window: n, agent: n, event: n, token: n }))];
  const cases: Case[] = [...(SPECIFIC[route] ?? [])];
  const target = withId('w1');
  if (kinds.includes('params')) for (const n of NASTY) if (n) cases.push({ method, url: withId(n), ...(method === 'POST' ? { body: { text: 'x' } } : {}) });
  if (kinds.includes('body')) {
    for (const body of bodies) cases.push({ method, url: target, body });
    cases.push({ method, url: target, raw: '{"broken": ' }, { method, url: target, raw: deepJson }, { method, url: target, raw: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }) });
    cases.push({ method, url: target, raw: 'text=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
  if (kinds.includes('query')) {
    for (const n of NASTY) {
      const v = enc(n);
      cases.push({ method, url: `${target}?lines=${v}&limit=${v}&agent=${v}&date=${v}&q=${v}&before=${v}&token=${v}&project=${v}&status=${v}` });
    }
  }
  return cases;
}

describe('hostile input on every route', { timeout: 300_000 }, () => {
  const harness = agentHarness({ CMUX_TOKEN: TOKEN });
  let app: FastifyInstance;
  before(async () => {
    const { deps } = harness;
    const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
    const hooks = createHookStore();
    const hub = createHub();
    app = await buildApp({ config: deps.config, token: TOKEN, logger: quiet, agents: { ...deps, logger: quiet }, hooks, hub, history: openHistory(deps.config.home), monitor: createStatusMonitor(deps, hooks, hub, quiet) });
    await startAgent(deps, await createAgent(deps, { name: 'w1', command: 'cat', cwd: harness.base, createdBy: 'user' }));
  });
  after(async () => {
    await app.close();
    await harness.cleanup();
  });

  it('has cases for every route the server serves', () => {
    assert.deepEqual([...routesOf(app)].sort(), Object.keys(ROUTES).sort(), 'a route was added or removed: give it its hostile cases in ROUTES');
  });

  it('answers every bad input with a 4xx and a clear error, never a 5xx', async () => {
    let sent = 0;
    for (const route of routesOf(app)) {
      for (const c of casesFor(route)) {
        const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, ...(c.headers ?? {}) };
        const payload = c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
        if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
        const res = await app.inject({ method: c.method, url: c.url, headers, ...(payload === undefined ? {} : { payload }) });
        sent += 1;
        const what = `${c.method} ${c.url.slice(0, 80)} ${String(payload).slice(0, 80)}`;
        assert.ok(res.statusCode < 500, `${what} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (SPECIFIC[route]?.includes(c)) assert.ok(res.statusCode >= 400, `${what} was accepted: ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 400 && String(res.headers['content-type'] ?? '').includes('json')) assert.equal(typeof res.json().error, 'string', what);
        const type = String(res.headers['content-type'] ?? '');
        if (res.body.includes('<script>alert(1)</script>')) assert.match(type, /application\/json/, `${what}: input reflected as ${type}`);
        if (res.statusCode >= 400) assert.doesNotMatch(type, /text\/html/, `${what}: an error page in HTML`);
      }
    }
    assert.ok(sent > 500, `sent ${sent} requests`);
  });

  it('ran no command, wrote nothing outside CMUX_HOME, created no window from a bad name', async () => {
    assert.equal(existsSync(PWNED), false, 'no shell command ran');
    assert.deepEqual(readdirSync(harness.base).sort(), ['home', 'tmux.sock']);
    const projects = await app.inject({ method: 'GET', url: '/api/projects', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual(projects.json().map((p: { name: string }) => p.name), ['default'], 'no project half-added');
    const tasks = await app.inject({ method: 'GET', url: '/api/tasks', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual(tasks.json(), [], 'no task half-added');
    const windows = await harness.deps.tmux.listWindows();
    assert.deepEqual(windows.filter((w) => w.name !== 'w1'), [], 'only the test\'s own agent (which a valid DELETE may have killed)');
  });
});

describe('hostile arguments on every CLI command', { timeout: 300_000 }, () => {
  let cmux: TestInstance;
  before(async () => {
    cmux = await createInstance();
  });
  after(async () => cmux.cleanup());

  const cases: Record<string, string[][]> = {
    start: [['--bogus']],
    stop: [['extra', 'args', 'here']],
    restart: [['--bogus']],
    status: [['--json', '--bogus']],
    logs: [['../../etc/passwd'], ['cmux-server', '-n', '-5'], ['cmux-server', '-n', 'abc']],
    attach: [['a:b'], ['$(id)'], ['-t']],
    open: [['--bogus'], ['extra-argument']],
    agents: [['--bogus']],
    spawn: [
      ['../x'], ['a;b'], ['x'.repeat(200)], [''], ['%1'], ['ok-name', '--cwd', 'relative'], ['ok-name', '--command', 'a\nb'],
      ['ok-name', '--worktree', '--branch', '../x'], ['ok-name', '--worktree', '--base', '--upload-pack=x'], ['ok-name', '--branch', 'x'],
    ],
    kill: [['../x'], ['nobody'], [`$(touch ${PWNED})`]],
    send: [['nobody', 'hi'], ['../x', 'hi'], ['a:b', 'hi']],
    interrupt: [['nobody'], ['@2']],
    compact: [['nobody'], ['-t']],
    terminal: [['nobody'], ['x', '-n', '0'], ['x', '-n', '100001']],
    diff: [['nobody'], ['../x'], ['nobody', '--bogus']],
    merge: [['nobody'], ['../x', '--into', '-x'], ['nobody', '--into', `$(touch ${PWNED})`]],
    mail: [['send', '--to', 'a b', '--subject', 's'], ['send', '--to', 'user'], ['send', '--to', '../x', '--subject', 's'], ['bogus']],
    journal: [['show', '--date', '../../x'], ['search', ' '], ['add'], ['bogus']],
    heal: [['--bogus']],
    doctor: [['--bogus']],
    project: [['add', '/nonexistent/folder'], ['add', '/etc/hostname'], ['add', '.', '--name', '../x'], ['add', '/tmp', '--branch', '../x'], ['remove', 'nope'], ['remove', 'default'], ['bogus']],
    task: [
      ['add', 'x', '--project', 'nope'], ['add', 'x', '--priority', '9'], ['add', 'x', '--parent', '999'], ['add', 'x', '--assignee', 'nobody'], ['add', ' '],
      ['show', '999'], ['show', 'abc'], ['assign', '999', 'w1'], ['update', '999', '--status', 'done'], ['update', '1', '--status', 'bogus'], ['done', '0'],
      ['list', '--status', 'bogus'], ['list', '--project', '../x'], ['bogus'],
    ],
    help: [['bogus-command']],
  };

  it('has cases for every command the CLI has', async () => {
    const help = String((await cmux.cli(['--help'])).stdout);
    const commands = [...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!);
    assert.ok(commands.length >= 18, commands.join(','));
    for (const command of commands) assert.ok(cases[command], `no hostile cases for \`cmux ${command}\``);
  });

  it('answers every bad argument with a clear message and a non-zero exit, never a stack trace', async () => {
    for (const [command, list] of Object.entries(cases)) {
      for (const args of list) {
        const run = await cmux.cli([command, ...args]);
        const what = `cmux ${command} ${args.join(' ').slice(0, 60)}`;
        assert.notEqual(run.exitCode, 0, `${what} succeeded: ${String(run.stdout).slice(0, 200)}`);
        assert.ok(String(run.stderr).trim().length > 0, `${what} said nothing`);
        assert.doesNotMatch(String(run.stderr), /\n\s+at .+:\d+:\d+/, `${what} printed a stack trace: ${String(run.stderr).slice(0, 300)}`);
      }
    }
    assert.equal(existsSync(PWNED), false);
    const tasks = await cmux.cli(['task', 'list', '--json']);
    assert.deepEqual(JSON.parse(String(tasks.stdout)), [], 'no task half-added');
    const projects = await cmux.cli(['project', 'list', '--json']);
    assert.deepEqual(JSON.parse(String(projects.stdout)).map((p: { name: string }) => p.name), ['default'], 'no project half-added');
  });
});
