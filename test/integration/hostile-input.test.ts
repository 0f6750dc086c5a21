import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createAgent, startAgent } from '../../apps/agents/index.ts';
import { agentIdentityToken, ensureAgentToken } from '../../apps/core/src/agents/index.ts';
import { type ErrorCode } from '../../apps/core/src/index.ts';
import { routesOf } from '../../apps/server/app.ts';
import { agentHarness } from '../helpers/agents.ts';
import { createInstance, ROOT, type TestInstance } from '../helpers/instance.ts';
import { MAX_HEADER_BYTES, sendRaw, type RawResponse } from '../helpers/raw-http.ts';
import { inProcessApp } from '../helpers/server-app.ts';

const TOKEN = 'hostile-suite-token-0123456789';
const PWNED = join(tmpdir(), `cx-pwned-${process.pid}`);
// Fastify's longest path parameter.
const MAX_PARAM_CHARS = 100;

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

type Label = 'bad id' | 'wrong JSON' | 'nasty fields' | 'broken JSON' | 'deep JSON' | 'huge body' | 'form body' | 'bad query' | 'specific';

interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  label: Label;
  // The status and error code a 'specific' case must get.
  expect?: Expected;
  nasty?: string;
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
  'GET /api/sessions': ['query'],
  'DELETE /api/sessions': ['query'],
  'DELETE /api/sessions/:id': ['params'],
  'GET /api/processes': ['query'],
  'GET /api/agents': ['query'],
  'POST /api/agents': ['body'],
  'GET /api/agents/:id': ['params'],
  'DELETE /api/agents/:id': ['params', 'query'],
  'GET /api/agents/:id/diff': ['params'],
  'POST /api/agents/:id/merge': ['params', 'body'],
  'GET /api/agents/:id/merge-preview': ['params', 'query'],
  'POST /api/agents/:id/message': ['params', 'body'],
  'POST /api/agents/:id/interrupt': ['params', 'body'],
  'GET /api/agents/:id/dialog': ['params'],
  'POST /api/agents/:id/answer': ['params', 'body'],
  'POST /api/agents/:id/keys': ['params', 'body'],
  'POST /api/agents/:id/compact': ['params', 'body'],
  'GET /api/agents/:id/terminal': ['params', 'query'],
  'POST /api/agents/register': ['body'],
  'DELETE /api/agents/register/:id': ['params'],
  'POST /api/agent-events': ['body'],
  'GET /api/agent-events': ['query'],
  'GET /api/messages': ['query'],
  'POST /api/messages': ['body'],
  'POST /api/messages/:id/withdraw': ['params', 'body'],
  'POST /api/events': ['body'],
  'GET /api/cluster': ['query'],
  'GET /api/journal': ['query'],
  'POST /api/journal/entry': ['body'],
  'GET /api/journal/dates': ['query'],
  'GET /api/journal/search': ['query'],
  'GET /api/journal/files': ['query'],
  // Two parameters: its cases are SPECIFIC.
  'GET /api/journal/files/:date/:name': [],
  'GET /api/alerts': ['query'],
  'POST /api/alerts/:id/ack': ['params'],
  'GET /api/killed-agents': ['query'],
  'GET /api/ws': [],
  'GET /api/projects': ['query'],
  'POST /api/projects': ['body'],
  'DELETE /api/projects/:name': ['params', 'query'],
  'GET /api/tasks': ['query'],
  'POST /api/tasks': ['body'],
  'GET /api/tasks/:id': ['params'],
  'PATCH /api/tasks/:id': ['params', 'body'],
  // An agent's own routes: the suite calls them as w1, with its own token.
  'GET /api/me': ['query'],
  'POST /api/me/messages': ['body'],
  'GET /api/me/messages': ['query'],
  'POST /api/me/report': ['body'],
  'GET /api/me/agents': ['query'],
  'GET /api/me/tasks': ['query'],
  'POST /api/me/tasks': ['body'],
  'PATCH /api/me/tasks/:id': ['params', 'body'],
  'POST /api/me/spawn': ['body'],
  'POST /api/me/interrupt': ['body'],
  'POST /api/me/answer': ['body'],
  'GET /api/usage': ['query'],
  'GET /api/budgets': ['query'],
  'PUT /api/budgets/:name': ['params', 'body'],
  'GET /api/search': ['query'],
  'GET /api/processes/samples': ['query'],
  'POST /api/processes/:name/restart': ['params'],
  'GET /api/processes/:name/log': ['params', 'query'],
};

// The status a case must get and, for a refusal, its error code (docs/errors.md).
type Expected = [status: number, code?: ErrorCode];

// Input that is well-formed but wrong for the projects and the task board: a folder that is
// missing or not one, an unknown project, task or agent, a status not on the board.
const specific = (method: Case['method'], url: string, expect: Expected, body?: unknown): Case => ({ method, url, label: 'specific', expect, ...(body === undefined ? {} : { body }) });
const BAD: Expected = [400, 'CMUX_ERR_BAD_REQUEST'];
const NO_PROJECT: Expected = [404, 'CMUX_ERR_PROJECT_NOT_FOUND'];
const NO_TASK: Expected = [404, 'CMUX_ERR_TASK_NOT_FOUND'];
const FORBIDDEN: Expected = [403, 'CMUX_ERR_FORBIDDEN'];
const SPECIFIC: Record<string, Case[]> = {
  'POST /api/projects': [
    specific('POST', '/api/projects', BAD, { root: '/nonexistent/folder' }),
    specific('POST', '/api/projects', BAD, { root: 'relative/folder' }),
    specific('POST', '/api/projects', BAD, { root: '/etc/hostname' }),
    specific('POST', '/api/projects', BAD, { root: '/', name: '../x' }),
    specific('POST', '/api/projects', [409, 'CMUX_ERR_PROJECT_EXISTS'], { root: '/tmp', name: 'default' }),
    specific('POST', '/api/projects', BAD, { root: '/tmp', name: 'ok', branch: '../x' }),
  ],
  'DELETE /api/projects/:name': [specific('DELETE', '/api/projects/nope', NO_PROJECT), specific('DELETE', '/api/projects/default', BAD)],
  'GET /api/tasks': [specific('GET', '/api/tasks?project=nope', NO_PROJECT), specific('GET', '/api/tasks?status=bogus', BAD)],
  'POST /api/tasks': [
    specific('POST', '/api/tasks', NO_PROJECT, { title: 'x', project: 'nope' }),
    specific('POST', '/api/tasks', BAD, { title: 'x', status: 'bogus' }),
    specific('POST', '/api/tasks', NO_TASK, { title: 'x', parent: 999 }),
    specific('POST', '/api/tasks', [404, 'CMUX_ERR_AGENT_NOT_FOUND'], { title: 'x', assignee: 'nobody' }),
    specific('POST', '/api/tasks', BAD, { title: 'x', priority: 9 }),
    specific('POST', '/api/tasks', BAD, { title: '   ' }),
  ],
  'GET /api/tasks/:id': [specific('GET', '/api/tasks/999', NO_TASK), specific('GET', '/api/tasks/0', BAD)],
  'PATCH /api/tasks/:id': [specific('PATCH', '/api/tasks/999', NO_TASK, { status: 'done' }), specific('PATCH', '/api/tasks/1', BAD, { status: 'bogus' })],
  'GET /api/agents': [specific('GET', '/api/agents?project=nope', NO_PROJECT)],
  'POST /api/agents': [
    specific('POST', '/api/agents', [400, 'CMUX_ERR_NOT_IN_CLUSTER'], { name: 'x', host: 'b' }),
    specific('POST', '/api/agents', BAD, { name: 'x', host: '../b' }),
    specific('POST', '/api/agents', BAD, { name: 'x', from: 'user@b' }),
  ],
  'GET /api/agents/:id': [specific('GET', '/api/agents/w1@b', [400, 'CMUX_ERR_NOT_IN_CLUSTER'])],
  // Only allowlisted key names; text without line breaks; a bounded, non-empty list.
  'POST /api/agents/:id/keys': [
    specific('POST', '/api/agents/w1/keys', BAD, { keys: [{ key: 'kill-server' }] }),
    specific('POST', '/api/agents/w1/keys', BAD, { keys: [{ key: 'C-M-x' }] }),
    specific('POST', '/api/agents/w1/keys', BAD, { keys: [{ text: 'rm -rf /\n' }] }),
    specific('POST', '/api/agents/w1/keys', BAD, { keys: [{ key: 'Enter', text: 'x' }] }),
    specific('POST', '/api/agents/w1/keys', BAD, { keys: [] }),
    specific('POST', '/api/agents/w1/keys', BAD, { keys: Array.from({ length: 257 }, () => ({ key: 'Up' })) }),
    specific('POST', '/api/agents/nobody/keys', [404, 'CMUX_ERR_AGENT_NOT_FOUND'], { keys: [{ key: 'Enter' }] }),
  ],
  'GET /api/messages': [specific('GET', '/api/messages?project=nope', NO_PROJECT)],
  // Another host's agent, on a single host: refused at the edge, nothing appended.
  'POST /api/messages': [specific('POST', '/api/messages', [400, 'CMUX_ERR_NOT_IN_CLUSTER'], { to: 'w1@b', subject: 'x' })],
  'POST /api/agents/:id/message': [specific('POST', '/api/agents/w1@b/message', [400, 'CMUX_ERR_NOT_IN_CLUSTER'], { text: 'x' })],
  'GET /api/journal/files/:date/:name': [
    specific('GET', '/api/journal/files/2026-13-01/000000000-x-abcdef.txt', BAD),
    specific('GET', '/api/journal/files/..%2F..%2Fetc/passwd', BAD),
    specific('GET', '/api/journal/files/2026-01-01/..%2F..%2F..%2Fagents.yaml', BAD),
    specific('GET', '/api/journal/files/2026-01-01/journal.md', BAD),
    specific('GET', `/api/journal/files/2026-01-01/${'x'.repeat(95)}.txt`, BAD),
    specific('GET', '/api/journal/files/2026-01-01/000000000-x-abcdef.txt', [404, 'CMUX_ERR_JOURNAL_FILE_NOT_FOUND']),
  ],
  'POST /api/alerts/:id/ack': [specific('POST', '/api/alerts/00000000-0000-4000-8000-000000000000/ack', [404, 'CMUX_ERR_ALERT_NOT_FOUND'])],
  // w1 is no worktree worker.
  'GET /api/agents/:id/merge-preview': [specific('GET', '/api/agents/w1/merge-preview', [400, 'CMUX_ERR_NO_WORKTREE'])],
  'POST /api/agents/:id/merge': [specific('POST', '/api/agents/w1/merge', BAD, { commitUncommitted: 'yes' }), specific('POST', '/api/agents/w1/merge', BAD, { message: '' })],
  'DELETE /api/sessions/:id': [specific('DELETE', '/api/sessions/0123456789abcdef', [404, 'CMUX_ERR_SESSION_NOT_FOUND']), specific('DELETE', '/api/sessions/0123456789ABCDEF', BAD)],
  // w1 is a worker: the supervisor's verbs are refused to it; it cannot name itself another agent.
  'POST /api/me/spawn': [specific('POST', '/api/me/spawn', FORBIDDEN, { name: 'w9', task: 'x' }), specific('POST', '/api/me/spawn', BAD, { name: '../w9', task: 'x' })],
  'POST /api/me/interrupt': [specific('POST', '/api/me/interrupt', FORBIDDEN, { agent: 'w1' })],
  'POST /api/me/answer': [specific('POST', '/api/me/answer', FORBIDDEN, { agent: 'w1', choice: 'y' })],
  'POST /api/me/messages': [
    specific('POST', '/api/me/messages', BAD, { to: '../x', text: 'x' }),
    specific('POST', '/api/me/messages', BAD, { to: 'user', text: 'x', from: 'supervisor' }),
    { ...specific('POST', '/api/me/messages', [401, 'CMUX_ERR_UNAUTHORIZED'], { to: 'user', text: 'x' }), headers: { 'x-cmux-agent': 'supervisor' } },
    { ...specific('POST', '/api/me/messages', [401, 'CMUX_ERR_UNAUTHORIZED'], { to: 'user', text: 'x' }), headers: { authorization: `Bearer ${TOKEN}` } },
  ],
  'POST /api/me/report': [specific('POST', '/api/me/report', BAD, { kind: 'finished', text: 'x' }), specific('POST', '/api/me/report', NO_TASK, { kind: 'done', text: 'x', task: 999 })],
  'GET /api/me/messages': [specific('GET', '/api/me/messages?since=yesterday', BAD), specific('GET', '/api/me/messages?limit=201', BAD)],
  'GET /api/me/agents': [specific('GET', '/api/me/agents?project=nope', NO_PROJECT)],
  'PATCH /api/me/tasks/:id': [specific('PATCH', '/api/me/tasks/999', NO_TASK, { status: 'done' })],
  'GET /api/search': [specific('GET', '/api/search?q=%20', BAD), specific('GET', `/api/search?q=${'x'.repeat(201)}`, BAD), specific('GET', '/api/search?q=..%2F..%2Fetc%2Fpasswd', [200])],
  // Only cmux's own apps, by name: no other PM2 app, no path; the log's line count is bounded.
  'POST /api/processes/:name/restart': [specific('POST', '/api/processes/pm2-logrotate/restart', BAD), specific('POST', '/api/processes/cmux-nats/restart', BAD), specific('POST', '/api/processes/CMUX-SERVER/restart', BAD)],
  'GET /api/processes/:name/log': [
    specific('GET', '/api/processes/..%2F..%2Fetc%2Fpasswd/log', BAD),
    specific('GET', '/api/processes/cmux-server/log?lines=-1', BAD),
    specific('GET', '/api/processes/cmux-server/log?lines=1001', BAD),
    specific('GET', '/api/processes/cmux-server/log?lines=abc', BAD),
    // No PM2 here, so no log yet.
    specific('GET', '/api/processes/cmux-server/log', [503, 'CMUX_ERR_NOT_RUNNING']),
  ],
  'GET /api/usage': [
    specific('GET', '/api/usage?by=bogus', BAD),
    specific('GET', '/api/usage?by=agent&by=day', BAD),
    specific('GET', '/api/usage?since=yesterday', BAD),
    specific('GET', '/api/usage?since=99999d', BAD),
    specific('GET', '/api/usage?since=..%2F..%2Fetc%2Fpasswd', BAD),
    specific('GET', `/api/usage?since=${'7'.repeat(41)}d`, BAD),
    specific('GET', '/api/usage?by=day&since=7d', [200]),
  ],
  'PUT /api/budgets/:name': [
    specific('PUT', '/api/budgets/all', BAD, { usdPerDay: -1 }),
    specific('PUT', '/api/budgets/all', BAD, { usdPerDay: 0 }),
    specific('PUT', '/api/budgets/all', BAD, { usdPerDay: 1e9 }),
    specific('PUT', '/api/budgets/all', BAD, { usdPerDay: 'NaN' }),
    specific('PUT', '/api/budgets/all', BAD, { usdPerDay: '5' }),
    specific('PUT', '/api/budgets/all', BAD, { usdPerDay: 5, extra: 1 }),
    specific('PUT', '/api/budgets/nope', NO_PROJECT, { usdPerDay: 5 }),
    specific('PUT', '/api/budgets/..%2F..%2Fetc', BAD, { usdPerDay: 5 }),
    specific('PUT', '/api/budgets/a%20b', BAD, { usdPerDay: 5 }),
    specific('PUT', `/api/budgets/${'a'.repeat(65)}`, BAD, { usdPerDay: 5 }),
    specific('PUT', '/api/budgets/default', [200], { usdPerDay: 1_000_000 }),
    specific('PUT', '/api/budgets/default', [200], { usdPerDay: null }),
  ],
};

// What `{}` gets where every field of the body is optional: w1 is no worktree worker.
const EMPTY_BODY_TAKEN: Record<string, Expected> = { 'POST /api/agents/:id/merge': [400, 'CMUX_ERR_NO_WORKTREE'], 'POST /api/messages/:id/withdraw': [404, 'CMUX_ERR_MESSAGE_NOT_FOUND'] };

// A body each route takes, sent with a bad id so that only the id is wrong.
const VALID_BODY: Record<string, unknown> = {
  'POST /api/messages/:id/withdraw': {},
  'POST /api/agents/:id/merge': {},
  'POST /api/agents/:id/answer': { choice: 'y' },
  'POST /api/agents/:id/keys': { keys: [{ key: 'Enter' }] },
};

// Routes that take no body: whatever is sent is ignored.
const BODY_IGNORED: Record<string, number> = {
  'POST /api/agents/:id/compact': 202,
  'POST /api/agents/:id/interrupt': 202,
  'POST /api/logout': 204,
  // Any JSON is a webhook's payload.
  'POST /api/webhooks/:source': 202,
  // A fresh one-time login code, whatever the body (it needs the token, which the request has).
  'POST /api/login/code': 201,
};
// Routes that take no query: unknown parameters are ignored.
const QUERY_IGNORED = new Set(['GET /api/processes/samples', 'GET /api/cluster', 'GET /api/usage', 'GET /api/budgets', 'GET /api/me', 'GET /api/me/agents', 'GET /api/me/tasks', 'GET /health', 'GET /api/webhooks/health', 'GET /api/agents', 'GET /api/processes', 'GET /api/journal/dates', 'GET /api/projects', 'GET /api/tasks', 'GET /api/sessions', 'DELETE /api/sessions']);
// Routes whose id has a format of its own (a task number, a project name): one that cannot be
// an id is a bad request, before any lookup.
const ID_CHECKED = new Set(['POST /api/processes/:name/restart', 'GET /api/processes/:name/log', 'GET /api/tasks/:id', 'PATCH /api/tasks/:id', 'PATCH /api/me/tasks/:id', 'POST /api/alerts/:id/ack', 'DELETE /api/sessions/:id']);

// A success where the input is ignored, else a refusal.
const ignoredOr = (status: number | undefined): Expected => (status === undefined ? BAD : [status]);

// The one status (and code) each case must get.
function expected(route: string, c: Case): Expected {
  if (c.url.length > MAX_HEADER_BYTES) return [431, 'CMUX_ERR_HEADERS_TOO_LARGE'];
  const nasty = c.nasty ?? '';
  switch (c.label) {
    case 'specific':
      return c.expect!;
    case 'bad id':
      if (nasty === '\ud800') return BAD; // not UTF-8: the path cannot be decoded
      // A project name is checked before anything else, however long.
      if (route === 'DELETE /api/projects/:name' || route === 'PUT /api/budgets/:name') return BAD;
      if (route === 'GET /assets/*') return nasty.includes('..') ? [404, 'CMUX_ERR_NOT_FOUND'] : [200]; // a path without an extension is the app's own route: index.html
      if (nasty.length > MAX_PARAM_CHARS) return [414, 'CMUX_ERR_URI_TOO_LONG'];
      if (ID_CHECKED.has(route)) return BAD;
      if (route === 'POST /api/messages/:id/withdraw') return [404, 'CMUX_ERR_MESSAGE_NOT_FOUND'];
      return route === 'POST /api/webhooks/:source' ? BAD : [404, 'CMUX_ERR_AGENT_NOT_FOUND']; // an invalid name is no agent's
    case 'huge body':
      return [413, 'CMUX_ERR_BODY_TOO_LARGE'];
    case 'form body':
      return [415, 'CMUX_ERR_UNSUPPORTED_MEDIA_TYPE'];
    case 'broken JSON':
      return BAD;
    case 'nasty fields':
      // Eleven fields of it: over the body limit in bytes.
      if (Buffer.byteLength(nasty) * 11 > 1024 * 1024) return [413, 'CMUX_ERR_BODY_TOO_LARGE'];
      return ignoredOr(BODY_IGNORED[route]);
    case 'wrong JSON':
      if (JSON.stringify(c.body) === '{}' && EMPTY_BODY_TAKEN[route]) return EMPTY_BODY_TAKEN[route];
      return ignoredOr(BODY_IGNORED[route]);
    case 'deep JSON':
      return ignoredOr(BODY_IGNORED[route]);
    case 'bad query':
      // The page and its icon refuse a token in the URL (it would stay in the browser's history).
      if (route === 'GET /' || route === 'GET /favicon.ico') return BAD;
      return QUERY_IGNORED.has(route) ? [200] : BAD;
  }
}

// Bad inputs for one route, each with a label that decides the status it must get.
function casesFor(route: string): Case[] {
  const [method, url] = route.split(' ') as [Case['method'], string];
  const kinds = ROUTES[route] ?? [];
  // An app's :name (a path goes on after it) takes the nasty text; a project's keeps its own cases.
  const withId = (id: string) => url.replace(':id', enc(id)).replace(':source', enc(id)).replace(/:name(?=\/)/, enc(id)).replace('*', enc(id));
  const cases: Case[] = [...(SPECIFIC[route] ?? [])];
  const target = withId('w1');
  if (kinds.includes('params')) for (const n of NASTY) if (n) cases.push({ method, url: withId(n), label: 'bad id', nasty: n, ...(method === 'POST' ? { body: VALID_BODY[route] ?? { text: 'x' } } : {}) });
  if (kinds.includes('body')) {
    for (const body of WRONG_TYPES) cases.push({ method, url: target, label: 'wrong JSON', body });
    for (const n of NASTY) cases.push({ method, url: target, label: 'nasty fields', nasty: n, body: { name: n, text: n, to: n, subject: n, title: n, content: n, id: n, window: n, agent: n, event: n, token: n } });
    cases.push({ method, url: target, label: 'broken JSON', raw: '{"broken": ' }, { method, url: target, label: 'deep JSON', raw: deepJson }, { method, url: target, label: 'huge body', raw: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }) });
    cases.push({ method, url: target, label: 'form body', raw: 'text=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
  if (kinds.includes('query')) {
    for (const n of NASTY) {
      const v = enc(n);
      cases.push({ method, url: `${target}?lines=${v}&limit=${v}&agent=${v}&date=${v}&q=${v}&before=${v}&token=${v}`, label: 'bad query', nasty: n });
    }
  }
  return cases;
}

describe('hostile input on every route', { timeout: 300_000 }, () => {
  const harness = agentHarness({ CMUX_TOKEN: TOKEN });
  let app: FastifyInstance;
  let port: number;
  // The token (and name) a case is sent with: w1's own on an agent's routes, else the API token.
  let credentialsFor: (url: string) => Record<string, string>;
  before(async () => {
    const { deps } = harness;
    const secret = ensureAgentToken(deps.config);
    app = await inProcessApp(deps, TOKEN, secret);
    const w1: Record<string, string> = { authorization: `Bearer ${agentIdentityToken(secret, 'w1')}`, 'x-cmux-agent': 'w1' };
    credentialsFor = (url) => (/^\/api\/me(?:[/?]|$)/.test(url) ? w1 : { authorization: `Bearer ${TOKEN}` });
    await startAgent(deps, await createAgent(deps, { name: 'w1', command: `sh -c 'trap "" INT; exec cat'`, cwd: harness.base, createdBy: 'user' }));
    // Through Node's own HTTP parser, as a client would reach it.
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  after(async () => {
    await app.close();
    await harness.cleanup();
  });

  it('has cases for every route the server serves', () => {
    assert.deepEqual([...routesOf(app)].sort(), Object.keys(ROUTES).sort(), 'a route was added or removed: give it its hostile cases in ROUTES');
  });

  it('answers every bad input with the exact status it must get (a 4xx, or success where the input is ignored), over a real socket', async () => {
    const wrong: string[] = [];
    let sent = 0;
    // Every refusal in the one shape: JSON with what is wrong and a code (a field for bad input).
    const errorOf = (res: RawResponse): { code?: string } | null => {
      if (!res.type.includes('application/json')) return null;
      const body = JSON.parse(res.text) as { error?: unknown; code?: string; field?: unknown };
      if (typeof body.error !== 'string' || body.error === '' || typeof body.code !== 'string') return null;
      if (body.field !== undefined && typeof body.field !== 'string') return null;
      return body;
    };
    for (const route of routesOf(app)) {
      for (const c of casesFor(route)) {
        const headers: Record<string, string> = { ...credentialsFor(c.url), ...(c.headers ?? {}) };
        const payload = c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
        if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
        const res = await sendRaw(port, c.method, c.url, headers, payload);
        sent += 1;
        const what = `${c.method} ${c.url.slice(0, 80)} ${String(payload).slice(0, 80)}`;
        const [status, code] = expected(route, c);
        const got = res.status >= 400 ? errorOf(res) : null;
        if (res.status !== status || got?.code !== code) {
          wrong.push(`${what} (${c.label}) → ${res.status} ${got?.code ?? ''}, expected ${status} ${code ?? ''}: ${res.text.slice(0, 120)}`);
        }
        if (res.text.includes('<script>alert(1)</script>')) assert.match(res.type, /application\/json/, `${what}: input reflected as ${res.type}`);
      }
    }
    // The whole list, for reading (the assertion's diff is cut short).
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    writeFileSync(join(ROOT, 'test-artifacts', 'hostile-input-wrong.txt'), wrong.join('\n'));
    assert.deepEqual(wrong, [], `${wrong.length} of ${sent} answers were not the expected status (all in test-artifacts/hostile-input-wrong.txt)`);
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
    start: [['--bogus'], ['--host', 'x'], ['--join', 'nats://127.0.0.1:1', '--host', '../x'], ['--join', 'nats://127.0.0.1:1', '--password-file', '/nonexistent/file']],
    stop: [['extra', 'args', 'here']],
    restart: [['--bogus']],
    status: [['--json', '--bogus']],
    logs: [['../../etc/passwd'], ['cmux-server', '-n', '-5'], ['cmux-server', '-n', 'abc']],
    attach: [['a:b'], ['$(id)'], ['-t']],
    open: [['--bogus'], ['extra-argument']],
    sessions: [['bogus'], ['--bogus'], ['revoke'], ['revoke', 'xyz'], ['revoke', '../x'], ['revoke', '0123456789abcdef', '--all'], ['revoke', '0123456789abcdef']],
    agents: [['--bogus']],
    spawn: [
      ['../x'], ['a;b'], ['x'.repeat(200)], [''], ['%1'], ['ok-name', '--cwd', 'relative'], ['ok-name', '--command', 'a\nb'],
      ['ok-name', '--worktree', '--branch', '../x'], ['ok-name', '--worktree', '--base', '--upload-pack=x'], ['ok-name', '--branch', 'x'],
    ],
    kill: [['../x'], ['nobody'], [`$(touch ${PWNED})`]],
    send: [['nobody', 'hi'], ['../x', 'hi'], ['a:b', 'hi']],
    interrupt: [['nobody'], ['@2']],
    answer: [['nobody', 'y'], ['../x'], ['nobody', '1', '--question']],
    compact: [['nobody'], ['-t']],
    terminal: [['nobody'], ['x', '-n', '0'], ['x', '-n', '100001']],
    diff: [['nobody'], ['../x'], ['nobody', '--bogus']],
    merge: [['nobody'], ['../x', '--into', '-x'], ['nobody', '--into', `$(touch ${PWNED})`], ['nobody', '--dry-run', '--into', '../x'], ['nobody', '--commit-uncommitted', '-m', ' '], ['nobody', '-m']],
    mail: [['send', '--to', 'a b', '--subject', 's'], ['send', '--to', 'user'], ['send', '--to', '../x', '--subject', 's'], ['bogus'], ['done', 'outside an agent'], ['read', '-n', '0']],
    journal: [['show', '--date', '../../x'], ['search', ' '], ['add'], ['bogus']],
    heal: [['--bogus']],
    doctor: [['--bogus']],
    registry: [['bogus'], ['repair', '--bogus'], ['repair', 'extra-argument']],
    project: [['add', '/nonexistent/folder'], ['add', '/etc/hostname'], ['add', '.', '--name', '../x'], ['add', '/tmp', '--branch', '../x'], ['remove', 'nope'], ['remove', 'default'], ['bogus']],
    task: [
      ['add', 'x', '--project', 'nope'], ['add', 'x', '--priority', '9'], ['add', 'x', '--parent', '999'], ['add', 'x', '--assignee', 'nobody'], ['add', ' '],
      ['show', '999'], ['show', 'abc'], ['assign', '999', 'w1'], ['update', '999', '--status', 'done'], ['update', '1', '--status', 'bogus'], ['done', '0'],
      ['list', '--status', 'bogus'], ['list', '--project', '../x'], ['bogus'],
    ],
    // Outside an agent window (no CMUX_AGENT_NAME, CMUX_AGENT_TOKEN) it serves no one.
    mcp: [[], ['--bogus']],
    cluster: [['bogus'], ['status'], ['add-host', '../x'], ['hub', '--host', '../x'], ['hub', '--host', 'ok', '--listen', '$(id):1']],
    // Checked before the server is asked; the last one finds no server running.
    usage: [['--by', 'bogus'], ['--since', 'yesterday'], ['--since', '../../etc/passwd'], ['--since', '99999d'], ['extra-argument'], ['--by', 'day']],
    // Checked before the server is asked; the last two find no server running (an unknown
    // project is refused by the server: PUT /api/budgets/:name above).
    budget: [['set', 'all', '-5'], ['set', 'all', 'NaN'], ['set', 'all', '0'], ['set', 'all', '1e9'], ['set', 'all', '99999999'], ['set', 'all', '12.5.0'], ['set', '../x', '5'], ['set', 'a b', '5'], ['set', 'all'], ['extra-argument'], ['set', 'nope', '5'], []],
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
