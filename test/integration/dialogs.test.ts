import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shellQuote } from '../../apps/core/src/index.ts';
import { apiClient } from '../helpers/api.ts';
import { createInstance, ROOT, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

// A dialog is answered only by an answer meant for it, and a queued message never lands in it.
describe('dialogs: answered safely, never typed into', { timeout: 300_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const record = () => join(cmux.base, 'w1.jsonl');
  const received = () => (existsSync(record()) ? readFileSync(record(), 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text) : []);
  const statusOf = async () => (await api.call<Array<{ id: string; status: string }>>('GET', '/api/agents')).body.find((a) => a.id === 'w1')?.status;
  const screen = async () => (await api.call<{ text: string }>('GET', '/api/agents/w1/terminal?lines=40')).body.text;

  before(async () => {
    cmux = await createInstance({ userConfig: 'router:\n  busyWaitSeconds: 4\n' });
    api = apiClient(cmux);
    assert.equal((await cmux.cli(['start'])).exitCode, 0);
    const demo = `CMUX_DEMO_RECORD=${shellQuote(record())} ${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`;
    assert.equal((await cmux.cli(['spawn', 'w1', '--command', demo])).exitCode, 0);
    assert.equal((await api.call('POST', '/api/agents/w1/message', { text: 'please ask permission first' })).status, 202);
    await eventually(statusOf, (s) => s === 'waiting', 30_000);
  });
  after(async () => cmux?.cleanup());

  it('shows the dialog: its question and its choices', async () => {
    const { body } = await api.call<{ dialog: { question: string; choices: string[]; cursor: number | null } }>('GET', '/api/agents/w1/dialog');
    assert.deepEqual(body.dialog, { question: 'Do you want to proceed? (y/n)', choices: ['y', 'n'], cursor: null });
    const cli = await cmux.cli(['answer', 'w1']);
    assert.match(String(cli.stdout), /Do you want to proceed\? \(y\/n\)\n {2}1\. y\n {2}2\. n/);
  });

  it('refuses an answer for another question, or a choice the dialog does not offer', async () => {
    const stale = await api.call<{ code: string; error: string }>('POST', '/api/agents/w1/answer', { choice: 'y', question: 'Delete everything?' });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'CMUX_ERR_NO_DIALOG');
    assert.match(stale.body.error, /the dialog on screen changed/);
    const odd = await api.call<{ error: string }>('POST', '/api/agents/w1/answer', { choice: 'maybe' });
    assert.equal(odd.status, 409);
    assert.match(odd.body.error, /offers no choice "maybe"; its choices: y \| n/);
    assert.equal(await statusOf(), 'waiting', 'nothing was typed');
  });

  it('keeps a queued message out of the dialog, says why it waits, and dead-letters it', async () => {
    const sent = await cmux.cli(['send', 'w1', 'y', '--timeout', '60']);
    assert.notEqual(sent.exitCode, 0);
    assert.match(String(sent.stderr), /waiting: w1 shows a dialog; answer it/);
    assert.match(String(sent.stderr), /still showed a dialog after 4 s; the message was not typed into it/);
    assert.equal(await statusOf(), 'waiting', 'the "y" was not typed into the dialog');
    assert.deepEqual(received(), ['please ask permission first']);
  });

  it('answers the dialog it was meant for, and checks that it took', async () => {
    const answered = await api.call('POST', '/api/agents/w1/answer', { choice: 'y', question: 'Do you want to proceed? (y/n)' });
    assert.equal(answered.status, 202, JSON.stringify(answered.body));
    assert.match(await screen(), /permission granted/);
    await eventually(statusOf, (s) => s === 'idle', 15_000);
    const none = await api.call<{ code: string }>('POST', '/api/agents/w1/answer', { choice: 'y' });
    assert.equal(none.status, 409);
    assert.equal(none.body.code, 'CMUX_ERR_NO_DIALOG');
  });
});
