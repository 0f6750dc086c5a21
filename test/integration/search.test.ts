import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createAgent, startAgent } from '../../apps/agents/index.ts';
import { addJournalEntry, openHistory, searchJournal, writeAttachment } from '../../apps/core/src/index.ts';
import type { SearchResult } from '../../apps/server/search/search.ts';
import { agentHarness } from '../helpers/agents.ts';
import { inProcessApp } from '../helpers/server-app.ts';
import { eventually } from '../helpers/tmux.ts';

const TOKEN = 'search-suite-token-0123456789';
// One word in every kind of place, in a different case each time.
const WORD = 'zebrafish';

describe('one search over messages, terminals, the journal and tasks; the messages filters', { timeout: 120_000 }, () => {
  const harness = agentHarness({ CMUX_TOKEN: TOKEN });
  let app: FastifyInstance;
  const get = async <T = any>(url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.statusCode, body: res.json() as T, warning: res.headers['x-cmux-warning'] };
  };
  const search = (q: string, extra = '') => get<SearchResult & { code?: string; error?: string }>(`/api/search?q=${encodeURIComponent(q)}${extra}`);

  before(async () => {
    const { deps } = harness;
    app = await inProcessApp(deps, TOKEN);
    const history = openHistory(deps.config.home);
    const message = (id: string, from: string, to: string, subject: string, status: 'queued' | 'delivered' | 'dead') =>
      history.insert({ id, ts: new Date().toISOString(), from, to, subject, body: `${subject}\nsecond line` }, status);
    message('m-1', 'user', 'w1', `feed the ${WORD.toUpperCase()}`, 'delivered');
    message('m-2', 'w1', 'user', 'done with the tank', 'delivered');
    message('m-3', 'user', 'w2', `a ${WORD} for w2`, 'dead');
    message('m-4', 'w2', 'w1', '100% of _all_ paths', 'queued');
    history.close();
    await startAgent(deps, await createAgent(deps, { name: 'w1', command: `sh -c 'echo live ${WORD} line; trap "" INT; exec cat'`, cwd: harness.base, createdBy: 'user' }));
    writeAttachment(deps.config.home, 'gone-pane', 'txt', `old output\nthe ${WORD} was archived\nlast line\n`);
    await addJournalEntry(deps.config.home, { title: 'Aquarium', content: `Bought a ${WORD}.` });
    const task = await app.inject({ method: 'POST', url: '/api/tasks', headers: { authorization: `Bearer ${TOKEN}` }, payload: { title: `Clean the ${WORD} tank` } });
    assert.equal(task.statusCode, 201);
    await eventually(async () => (await get<{ text: string }>('/api/agents/w1/terminal')).body.text, (t) => t.includes(`live ${WORD}`), 20_000);
  });
  after(async () => {
    await app.close();
    await harness.cleanup();
  });

  it('finds the word in each kind of place, grouped by kind and agent, each with the place it opens at', async () => {
    const { status, body } = await search('ZebraFish');
    assert.equal(status, 200);
    const groups = body.groups.map((g) => `${g.kind}:${g.agent ?? '-'}:${g.hits.length}`);
    assert.deepEqual(groups, ['message:w1:1', 'message:w2:1', 'terminal:gone:1', 'terminal:w1:1', 'journal:-:1', 'task:-:1']);
    assert.equal(body.total, 6);
    assert.deepEqual(body.cut, []);
    const place = (kind: string, agent: string | null) => body.groups.find((g) => g.kind === kind && g.agent === agent)!.hits[0]!;
    assert.deepEqual(place('message', 'w1').place, { view: 'messages', id: 'm-1', agent: 'w1' });
    assert.match(place('message', 'w1').excerpt, /ZEBRAFISH/);
    // The dashboard shows the terminal at the line: the text searched for, and how far up it was.
    assert.deepEqual(place('terminal', 'w1').place, { view: 'agent', agent: 'w1', find: 'zebrafish', up: 0 });
    assert.equal(place('terminal', 'w1').excerpt, `live ${WORD} line`);
    const archived = place('terminal', 'gone');
    assert.equal(archived.place.view, 'journal');
    assert.match((archived.place as { file: string }).file, /-gone-pane-[0-9a-f]{6}\.txt$/);
    assert.match(archived.excerpt, /was archived/);
    assert.equal(place('journal', null).title, 'Aquarium');
    assert.deepEqual(Object.keys(place('journal', null).place).sort(), ['date', 'time', 'view']);
    assert.equal(place('task', null).place.view, 'task');
  });

  it('says when hits were left unshown by the limit', async () => {
    const { body } = await search(WORD, '&limit=1');
    assert.equal(body.total, 4, 'one of each kind');
    assert.deepEqual(body.cut.sort(), ['messages: only the first 1 hits are shown', 'terminals: only the first 1 hits are shown', 'journal: only the first 1 hits are shown', 'tasks: only the first 1 hits are shown'].sort());
  });

  it('reads within its bounds, and says when it stopped short', () => {
    const { home } = harness.deps.config;
    const budget = { bytes: 10, cut: false };
    searchJournal(home, WORD, 50, () => undefined, budget);
    assert.equal(budget.cut, true, 'a journal bigger than the budget is cut');
    const roomy = { bytes: 1024 * 1024, cut: false };
    assert.equal(searchJournal(home, WORD, 50, () => undefined, roomy).length, 2);
    assert.equal(roomy.cut, false);
    const history = openHistory(home);
    try {
      assert.deepEqual(history.search(WORD, { limit: 10, scan: 1 }), { messages: [], cut: true }, 'the newest holds no hit, three older ones were not read');
      assert.equal(history.search(WORD, { limit: 10, scan: 4 }).cut, false);
    } finally {
      history.close();
    }
  });

  it('takes text that looks like a pattern, a path, a wildcard or odd unicode as plain text', async () => {
    for (const q of ['.*', '(', '[a-z]+', '\\', '%z%', '_q_', '../../etc/passwd', '/etc/passwd', '名前', '🚀', '\u202eevil', 'ﬁ', '<script>alert(1)</script>', "' OR 1=1 --"]) {
      const { status, body } = await search(q);
      assert.equal(status, 200, q);
      assert.equal(body.total, 0, `${q} matched ${JSON.stringify(body.groups)}`);
    }
    // A wildcard of SQL's LIKE is a character like any other.
    const percent = await search('100%');
    assert.deepEqual(percent.body.groups.map((g) => g.hits[0]!.place), [{ view: 'messages', id: 'm-4', agent: 'w2' }]);
  });

  it('refuses an empty, blank, huge or control-character search, and a bad limit, saying why', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/search', /q/],
      ['/api/search?q=', /empty/],
      ['/api/search?q=%20%20%20', /empty/],
      [`/api/search?q=${'x'.repeat(201)}`, /longer than 200/],
      [`/api/search?q=${'x'.repeat(100_000)}`, /./],
      ['/api/search?q=a%00b', /control characters/],
      ['/api/search?q=a%1b%5b31m', /control characters/],
      ['/api/search?q=x&limit=0', /limit/],
      ['/api/search?q=x&limit=201', /limit/],
      ['/api/search?q=x&limit=abc', /limit/],
    ];
    for (const [url, why] of cases) {
      const res = await get<{ code: string; error: string }>(url);
      assert.ok(res.status === 400 || res.status === 414, `${url.slice(0, 60)}: ${res.status}`);
      if (res.status === 400) {
        assert.equal(res.body.code, 'CMUX_ERR_BAD_REQUEST');
        assert.match(res.body.error, why, url.slice(0, 60));
      }
    }
    const text = await app.inject({ method: 'GET', url: '/api/search?q=x' });
    assert.equal(text.statusCode, 401, 'the token is needed');
  });

  it('filters the messages by agent, direction and delivery state', async () => {
    const ids = async (query: string) => (await get<Array<{ id: string }>>(`/api/messages?${query}`)).body.map((m) => m.id);
    assert.deepEqual(await ids('agent=w1'), ['m-4', 'm-2', 'm-1']);
    assert.deepEqual(await ids('agent=w1&direction=in'), ['m-4', 'm-1']);
    assert.deepEqual(await ids('agent=w1&direction=out'), ['m-2']);
    assert.deepEqual(await ids('direction=out'), ['m-3', 'm-1'], 'from the user');
    assert.deepEqual(await ids('direction=in'), ['m-2'], 'to the user');
    assert.deepEqual(await ids('status=dead'), ['m-3']);
    assert.deepEqual(await ids('status=queued&agent=w2'), ['m-4']);
    assert.deepEqual(await ids('status=delivered&direction=out&project=default'), ['m-1']);
    for (const bad of ['direction=sideways', 'status=lost', 'status=', 'direction=IN']) assert.equal((await get(`/api/messages?${bad}`)).status, 400, bad);
  });
});
