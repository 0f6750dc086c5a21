import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiClient } from '../helpers/api.ts';
import { createInstance, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

describe('cmux-log-watcher under PM2', { timeout: 120_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  before(async () => {
    cmux = await createInstance();
    api = apiClient(cmux);
    const start = await cmux.cli(['start'], { env: { CMUX_LOG_CHECK_INTERVAL: '1' } });
    assert.equal(start.exitCode, 0, String(start.stderr));
  });
  after(async () => cmux.cleanup());

  it('turns an error in a cmux log into an alert on the API, in the journal and at the supervisor', async () => {
    appendFileSync(join(cmux.home, 'logs', 'cmux-server.err.log'), `${new Date().toISOString()} ERROR [cmux-server] the disk controller is on fire\n`);
    const alerts = await eventually(
      async () => (await api.call<Array<{ title: string; file: string; source: string }>>('GET', '/api/alerts?limit=10')).body,
      (list) => list.some((a) => a.title.includes('the disk controller is on fire')),
      15_000,
    );
    const alert = alerts.find((a) => a.title.includes('on fire'))!;
    assert.equal(alert.source, 'log-watcher');
    assert.ok(alert.file.startsWith(join(cmux.home, 'journal')));
    const screen = await eventually(
      async () => (await api.call<{ text: string }>('GET', '/api/agents/supervisor/terminal?lines=100')).body.text,
      (t) => t.includes('[system:log-watcher] [ALERT] cmux-server'),
      15_000,
    );
    assert.match(screen, /\[system:log-watcher\] \[ALERT\] cmux-server: .*on fire/);
    assert.equal((await api.call('GET', '/api/alerts?limit=0')).status, 400);
  });
});
