import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import type { FastifyInstance } from 'fastify';
import { createAgent, startAgent } from '../../apps/agents/index.ts';
import { raiseAlert } from '../../apps/core/src/index.ts';
import { agentHarness } from '../helpers/agents.ts';
import { CLI, cleanEnv } from '../helpers/instance.ts';
import { sendRaw } from '../helpers/raw-http.ts';
import { inProcessApp } from '../helpers/server-app.ts';
import { eventually } from '../helpers/tmux.ts';
import { wsRecorder } from '../helpers/ws-recorder.ts';

const TOKEN = 'journal-archives-token-0123456789';
const MARKER = 'archived-marker-4711';

describe('nothing lost from view: killed agents, their archived terminals, alert files and acknowledgements', { timeout: 120_000 }, () => {
  const harness = agentHarness({ CMUX_TOKEN: TOKEN });
  let app: FastifyInstance;
  let port: number;
  const call = async <T = any>(method: string, path: string, token = TOKEN) => {
    const res = await sendRaw(port, method, path, { authorization: `Bearer ${token}` });
    return { status: res.status, body: JSON.parse(res.text) as T };
  };

  before(async () => {
    app = await inProcessApp(harness.deps, TOKEN);
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  after(async () => {
    await app.close();
    await harness.cleanup();
  });

  it('a killed agent is listed with its archived terminal, which the journal lists, shows and finds', async () => {
    const { deps } = harness;
    await startAgent(deps, await createAgent(deps, { name: 'doomed', command: `sh -c 'echo ${MARKER}; trap "" INT; exec cat'`, cwd: harness.base, createdBy: 'user' }));
    await eventually(async () => (await call<{ text: string }>('GET', '/api/agents/doomed/terminal')).body.text ?? '', (t) => t.includes(MARKER), 20_000);
    assert.equal((await call('DELETE', '/api/agents/doomed')).status, 200);

    const killed = await call<Array<{ id: string; role: string; killedAt: string; archive: { date: string; name: string } | null }>>('GET', '/api/killed-agents');
    assert.equal(killed.status, 200);
    const [record] = killed.body;
    assert.equal(record?.id, 'doomed');
    assert.ok(record.archive, 'the archive is named');
    const { date, name } = record.archive;

    const files = await call<Array<{ name: string; kind: string; title: string }>>('GET', `/api/journal/files?date=${date}`);
    const listed = files.body.find((f) => f.name === name);
    assert.equal(listed?.kind, 'terminal');
    assert.equal(listed.title, 'terminal of doomed');
    const file = await call<{ text: string; kind: string }>('GET', `/api/journal/files/${date}/${name}`);
    assert.equal(file.status, 200);
    assert.match(file.body.text, new RegExp(MARKER));

    const day = await call<{ entries: Array<{ title: string; content: string }> }>('GET', `/api/journal?date=${date}`);
    const entry = day.body.entries.find((e) => e.title === 'killed agent doomed');
    assert.ok(entry, 'the kill is a journal entry');
    assert.ok(entry.content.includes(name), 'naming its archive');

    const byName = await call<Array<{ title: string; file?: string }>>('GET', '/api/journal/search?q=doomed');
    assert.ok(byName.body.some((e) => e.title === 'killed agent doomed'), 'search finds the kill');
    assert.ok(byName.body.some((e) => e.file === name), 'and the archive, by its title');
    const byText = await call<Array<{ content: string; file?: string }>>('GET', `/api/journal/search?q=${MARKER}`);
    const hit = byText.body.find((e) => e.file === name);
    assert.ok(hit?.content.includes(MARKER), 'search finds what the archived terminal showed, with the lines around it');
    assert.ok((await call<string[]>('GET', '/api/journal/dates')).body.includes(date));

    const cli = (args: string[]) => execa(process.execPath, [CLI, ...args], { env: { ...cleanEnv(), CMUX_HOME: harness.home }, extendEnv: false, reject: false, timeout: 30_000, stdin: 'ignore' });
    const listedByCli = JSON.parse(String((await cli(['journal', 'show', '--files', '--date', date, '--json'])).stdout)) as Array<{ name: string; kind: string }>;
    assert.equal(listedByCli.find((f) => f.name === name)?.kind, 'terminal', '`cmux journal show --files` lists the archive');
    assert.match(String((await cli(['journal', 'search', MARKER])).stdout), new RegExp(`terminal of doomed \\(attachments/${name}\\)`));
  });

  it('an alert links to its journal file, and an acknowledgement persists (once, with its first time) and reaches every open dashboard', async (t) => {
    const dashboard = wsRecorder(() => `ws://127.0.0.1:${port}/api/ws?token=${TOKEN}`);
    t.after(() => dashboard.close());
    await dashboard.open();
    const alert = await raiseAlert(harness.deps.config, { source: 'log-watcher', kind: 'error', title: 'the reactor is warm', count: 2, excerpt: 'ERROR warm', details: '# The reactor\n\nwarm, twice\n' });
    const date = alert.ts.slice(0, 10);
    const name = alert.file.split('/').at(-1)!;
    const files = await call<Array<{ name: string; kind: string }>>('GET', `/api/journal/files?date=${date}`);
    assert.equal(files.body.find((f) => f.name === name)?.kind, 'alert');
    assert.match((await call<{ text: string }>('GET', `/api/journal/files/${date}/${name}`)).body.text, /warm, twice/);
    assert.ok((await call<Array<{ file?: string }>>('GET', '/api/journal/search?q=reactor')).body.some((e) => e.file === name), 'search finds the alert file');

    const [listed] = (await call<Array<{ id: string; acknowledged?: string }>>('GET', '/api/alerts')).body;
    assert.equal(listed?.id, alert.id);
    assert.equal(listed.acknowledged, undefined);
    const acked = await call<{ id: string; acknowledged: string }>('POST', `/api/alerts/${alert.id}/ack`);
    assert.equal(acked.status, 200);
    assert.ok(Date.parse(acked.body.acknowledged) > 0);
    const frame = await eventually(async () => dashboard.frames.find((f) => f.event === 'alert_acked'), (f) => f !== undefined, 20_000);
    assert.deepEqual(frame!.data, { id: alert.id, at: acked.body.acknowledged }, 'an open dashboard is told at once, with when');
    const again = await call<{ acknowledged: string }>('POST', `/api/alerts/${alert.id}/ack`);
    assert.equal(again.body.acknowledged, acked.body.acknowledged, 'the first acknowledgement stands');
    assert.equal((await call<Array<{ acknowledged?: string }>>('GET', '/api/alerts')).body[0]?.acknowledged, acked.body.acknowledged);
    const log = readFileSync(join(harness.home, 'state', 'alerts-acked.jsonl'), 'utf8').trim().split('\n');
    assert.equal(log.length, 1, 'one acknowledgement on disk');
  });

  it('refuses bad input: a malformed alert id, an unknown one, no token, a path for a file name', async () => {
    const malformed = await call<{ error: string; code: string }>('POST', '/api/alerts/..%2F..%2Fagents.yaml/ack');
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.error, /id: an alert id/);
    const unknown = await call<{ code: string }>('POST', '/api/alerts/00000000-0000-4000-8000-000000000000/ack');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'CMUX_ERR_ALERT_NOT_FOUND');
    const [alert] = (await call<Array<{ id: string }>>('GET', '/api/alerts')).body;
    assert.equal((await call('POST', `/api/alerts/${alert!.id}/ack`, 'wrong-token')).status, 401);
    assert.equal((await call('GET', '/api/killed-agents', 'wrong-token')).status, 401);
    assert.equal((await call('GET', '/api/journal/files/2026-01-01/000000000-x-abcdef.txt', 'wrong-token')).status, 401);
    const traversal = await call<{ code: string }>('GET', '/api/journal/files/2026-01-01/..%2F..%2Fagents.yaml');
    assert.equal(traversal.status, 400);
    assert.equal(traversal.body.code, 'CMUX_ERR_BAD_REQUEST');
    const missing = await call<{ code: string }>('GET', '/api/journal/files/2026-01-01/000000000-x-abcdef.txt');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'CMUX_ERR_JOURNAL_FILE_NOT_FOUND');
    assert.equal((await call('GET', '/api/journal/files?date=2026-02-31x')).status, 400);
    assert.equal((await call('GET', '/api/killed-agents?limit=0')).status, 400);
  });
});
