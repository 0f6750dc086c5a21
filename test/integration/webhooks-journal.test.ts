import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiClient } from '../helpers/api.ts';
import { createInstance, type TestInstance } from '../helpers/instance.ts';
import { sendRaw } from '../helpers/raw-http.ts';

const SECRET = 'hook-secret-123';
const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('webhooks and the journal on the running server', { timeout: 120_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const post = async (path: string, body: string, headers: Record<string, string>) => {
    const res = await sendRaw(cmux.port, 'POST', path, { 'content-type': 'application/json', ...headers }, body);
    return { status: res.status, json: async () => JSON.parse(res.text) as unknown };
  };

  before(async () => {
    cmux = await createInstance({ userConfig: `webhooks:\n  bodyLimitBytes: 1048576\n  sources:\n    github: { secret: "${SECRET}" }\n` });
    api = apiClient(cmux);
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, String(start.stderr));
  });
  after(async () => cmux.cleanup());

  it('takes a signed webhook: 202, payload saved in the journal, the supervisor told', async () => {
    const body = JSON.stringify({ action: 'opened', pull_request: { number: 7, title: 'Fix `parser`' } });
    const res = await post('/api/webhooks/github', body, { 'x-hub-signature-256': sign(body), 'x-github-event': 'pull_request' });
    assert.equal(res.status, 202);
    const { id, attachment } = (await res.json()) as { id: string; attachment: string };
    assert.ok(attachment.startsWith(join(cmux.home, 'journal')));
    assert.deepEqual(JSON.parse(readFileSync(attachment, 'utf8')), JSON.parse(body));
    const line = readFileSync(join(cmux.home, 'mailbox.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; from: string; to: string; subject: string; body: string }).find((m) => m.id === id)!;
    assert.equal(line.from, 'webhook:github');
    assert.equal(line.to, 'supervisor');
    assert.equal(line.subject, '[WEBHOOK] github pull_request');
    assert.ok(line.body.includes(attachment));
  });

  it('refuses a bad signature, a missing one, no auth at all, a huge body and bad JSON', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const cases: Array<[string, string, Record<string, string>, number]> = [
      ['bad signature', body, { 'x-hub-signature-256': sign(body, 'wrong-secret') }, 401],
      ['signature of another body', body, { 'x-hub-signature-256': sign(`${body} `) }, 401],
      ['no signature for a signed source', body, {}, 401],
      ['token instead of the signature', body, { authorization: `Bearer ${api.token()}` }, 401],
      ['5 MB body', JSON.stringify({ blob: 'x'.repeat(5 * 1024 * 1024) }), { 'x-hub-signature-256': 'sha256=00' }, 413],
      ['bad JSON', '{"half":', { 'x-hub-signature-256': sign('{"half":') }, 400],
    ];
    for (const [name, payload, headers, status] of cases) {
      const res = await post('/api/webhooks/github', payload, headers);
      assert.equal(res.status, status, name);
      assert.equal(typeof ((await res.json()) as { error: string }).error, 'string', name);
    }
    assert.equal((await post('/api/webhooks/ci', body, {})).status, 401, 'an unsigned source needs the token');
    assert.equal((await post('/api/webhooks/ci', body, { authorization: `Bearer ${api.token()}` })).status, 202);
    for (const source of ['..%2F..%2Fx', 'UPPER', 'health', 'a%20b']) {
      assert.equal((await post(`/api/webhooks/${source}`, body, { authorization: `Bearer ${api.token()}` })).status, 400, source);
    }
  });

  it('keeps a journal: entries, dates, search, over the API and the CLI', async () => {
    const created = await api.call<{ date: string; time: string }>('POST', '/api/journal/entry', { title: 'Deployed ## v2', content: 'All green.\n## not a heading\nNext: docs.' });
    assert.equal(created.status, 201);
    const cli = await cmux.cli(['journal', 'add', '--title', 'From the CLI', '--content', 'Wrote the parser tests.']);
    assert.equal(cli.exitCode, 0, String(cli.stderr));
    const day = (await api.call<{ date: string; entries: Array<{ title: string; content: string }> }>('GET', '/api/journal')).body;
    assert.equal(day.date, created.body.date);
    const titles = day.entries.map((e) => e.title);
    assert.ok(titles.includes('Deployed ## v2') && titles.includes('From the CLI'), titles.join(', '));
    assert.equal(day.entries.find((e) => e.title === 'Deployed ## v2')!.content, 'All green.\n## not a heading\nNext: docs.');
    assert.deepEqual((await api.call<string[]>('GET', '/api/journal/dates')).body, [created.body.date]);
    // The entry, and the webhook's body from the first test (a journal file: search finds files too).
    const found = (await api.call<Array<{ title: string; file?: string }>>('GET', '/api/journal/search?q=PARSER')).body;
    assert.deepEqual(found.map((e) => [e.title, e.file !== undefined]), [['From the CLI', false], ['webhook github-pull-request', true]]);
    const shown = await cmux.cli(['journal', 'show', '--json']);
    assert.equal((JSON.parse(String(shown.stdout)) as unknown[]).length, day.entries.length);
    const searched = await cmux.cli(['journal', 'search', 'green']);
    assert.match(String(searched.stdout), /Deployed ## v2/);
  });

  it('never lets a client name a journal path', async () => {
    for (const date of ['../../x', '..%2F..%2Fetc', '2026-13-01', '2026-1-1', '/etc/passwd']) {
      assert.equal((await api.call('GET', `/api/journal?date=${date}`)).status, 400, date);
    }
    const traversal = await api.call('POST', '/api/journal/entry', { title: '../../../../tmp/evil', content: 'x' });
    assert.equal(traversal.status, 201, 'a title is text, not a path');
    const days = readdirSync(join(cmux.home, 'journal'));
    assert.ok(days.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)), days.join(','));
    assert.equal(existsSync('/tmp/evil'), false);
    for (const body of [{ title: '', content: 'x' }, { title: 'x' }, { title: 'x', content: 1 }, { title: 'x'.repeat(300), content: '' }]) {
      assert.equal((await api.call('POST', '/api/journal/entry', body)).status, 400, JSON.stringify(body).slice(0, 40));
    }
    assert.equal((await api.call('GET', '/api/journal/search?q=')).status, 400);
    const shown = await cmux.cli(['journal', 'show', '--date', '../../x']);
    assert.equal(shown.exitCode, 2);
    assert.match(String(shown.stderr), /date must be YYYY-MM-DD/);
  });
});
