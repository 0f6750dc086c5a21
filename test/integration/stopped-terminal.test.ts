import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createAgentDeps } from '../../apps/agents/index.ts';
import { createLogger, loadConfig, shellQuote } from '../../apps/core/src/index.ts';
import { apiClient } from '../helpers/api.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { createInstance, ROOT, type TestInstance } from '../helpers/instance.ts';
import { inProcessApp } from '../helpers/server-app.ts';
import { eventually } from '../helpers/tmux.ts';

const MARKER = 'stopped-terminal-marker-5150';

interface Terminal {
  text: string;
  archived?: { at: string; date: string; name: string };
}

// A stopped agent keeps its terminal: `cmux stop` archives every agent's pane before the tmux
// server goes, and the terminal route (and the dashboard) answers the archive, marked so.
describe('a stopped agent keeps its terminal', { timeout: 300_000 }, () => {
  let cmux: TestInstance;
  let app: FastifyInstance | undefined;

  before(async () => {
    cmux = await createInstance();
    assert.equal((await cmux.cli(['start'])).exitCode, 0);
    const demo = `${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`;
    const spawned = await cmux.cli(['spawn', 'w1', '--command', demo]);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    assert.equal((await apiClient(cmux).call('POST', '/api/agents/w1/message', { text: `remember ${MARKER}` })).status, 202);
  });
  after(async () => {
    await app?.close();
    await cmux?.cleanup();
  });

  it('is archived by the real stop and served from the journal, with when, by the API and in the dashboard', async () => {
    const api = apiClient(cmux);
    const live = await eventually(
      async () => (await api.call<Terminal>('GET', '/api/agents/w1/terminal')).body,
      (t) => t.text.includes(`Done: received`) && t.text.includes(`remember ${MARKER}`),
      60_000,
    );
    assert.equal(live.archived, undefined, 'a live screen is not marked archived');
    const token = api.token();

    const stop = await cmux.cli(['stop']);
    assert.equal(stop.exitCode, 0, String(stop.stderr));
    assert.match(String(stop.stdout), /archived the terminals of \d+ agent\(s\) in the journal: .*\bw1\b/);

    // The server as the next start runs it, before anything is brought back: the window is gone.
    const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
    const deps = createAgentDeps(loadConfig({ env: cmux.env, cwd: cmux.base }), createLogger('test', { out: quiet, err: quiet }));
    app = await inProcessApp(deps, token);
    await app.listen({ host: '127.0.0.1', port: cmux.port });
    const terminal = await api.call<Terminal>('GET', '/api/agents/w1/terminal');
    assert.equal(terminal.status, 200);
    assert.ok(terminal.body.archived, 'marked archived');
    assert.ok(terminal.body.text.includes(MARKER), 'with what the pane showed');
    assert.ok(Math.abs(Date.parse(terminal.body.archived.at) - Date.now()) < 120_000, `archived just now, not ${terminal.body.archived.at}`);
    const file = await api.call<{ text: string; kind: string }>('GET', `/api/journal/files/${terminal.body.archived.date}/${terminal.body.archived.name}`);
    assert.equal(file.body.kind, 'terminal');
    assert.ok(file.body.text.includes(MARKER), 'the journal file it names is the archive');
    const tail = await api.call<Terminal>('GET', '/api/agents/w1/terminal?lines=1');
    assert.equal(tail.body.text.split('\n').length, 1, 'lines applies to the archive too');
    assert.equal((await api.call('GET', '/api/agents/nobody/terminal')).status, 404);

    const browser = await launchBrowser();
    try {
      const page = await (await browser.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await page.goto(`http://127.0.0.1:${cmux.port}/#/agents/w1`);
      await page.getByLabel('token').fill(token);
      await page.getByRole('button', { name: 'Log in' }).click();
      const label = page.locator('.terminal-archived');
      await label.waitFor({ timeout: 30_000 });
      assert.match((await label.textContent()) ?? '', /^stopped — terminal archived at /);
      assert.equal(await label.getAttribute('data-archived-at'), terminal.body.archived.at);
      await eventually(async () => (await page.getByTestId('terminal').getAttribute('data-text')) ?? '', (t) => t.includes(MARKER), 30_000);
      assert.equal(await page.getByRole('button', { name: 'Type into terminal' }).count(), 0, 'an archive is not typed into');
    } finally {
      await browser.close();
    }
  });
});
