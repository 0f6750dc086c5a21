import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isAlive } from '../../apps/core/src/index.ts';
import { apiClient } from '../helpers/api.ts';
import { createInstance, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

interface Status {
  apps: Array<{ name: string; pid: number | null; status: string; restarts: number }>;
}

describe('cmux-frontend-healer under PM2', { timeout: 180_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const server = async () => (JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as Status).apps.find((a) => a.name === 'cmux-server')!;
  before(async () => {
    cmux = await createInstance({ userConfig: 'healer:\n  apiTimeoutSeconds: 1\n  apiFailuresBeforeRestart: 2\n  browserCheck: "off"\n' });
    api = apiClient(cmux);
    const start = await cmux.cli(['start'], { env: { CMUX_HEAL_INTERVAL: '1' } });
    assert.equal(start.exitCode, 0, String(start.stderr));
  });
  after(async () => cmux.cleanup());

  it('restarts a server stopped with SIGSTOP, within the bound, and says why', async () => {
    const before = await server();
    const started = Date.now();
    process.kill(before.pid!, 'SIGSTOP');
    try {
      // 2 failed checks of 1 s, then PM2's kill_timeout (5 s) for a process that cannot answer SIGINT.
      const after = await eventually(server, (s) => s.status === 'online' && s.pid !== null && s.pid !== before.pid, 30_000);
      assert.ok(after.restarts > before.restarts);
      const took = Date.now() - started;
      assert.ok(took < 20_000, `restarted after ${took} ms`);
      assert.equal((await fetch(`http://127.0.0.1:${cmux.port}/health`)).status, 200);
      assert.equal(isAlive(before.pid!), false);
    } finally {
      if (isAlive(before.pid!)) process.kill(before.pid!, 'SIGCONT');
    }
    const alerts = await eventually(async () => (await api.call<Array<{ title: string; source: string }>>('GET', '/api/alerts')).body, (list) => list.some((a) => a.source === 'frontend-healer'), 10_000);
    assert.match(alerts.find((a) => a.source === 'frontend-healer')!.title, /restarted cmux-server: GET \/health failed 2 times in a row/);
  });

  it('rebuilds on `npx cmux heal` and reports the heal in health', async () => {
    const heal = await cmux.cli(['heal'], { timeoutMs: 120_000 });
    assert.equal(heal.exitCode, 0, String(heal.stderr));
    assert.match(String(heal.stdout), /healed at .*; the dashboard is healthy/);
    const health = (await (await fetch(`http://127.0.0.1:${cmux.port}/health`)).json()) as { frontend: { lastHeal: string | null }; processes: Array<{ name: string; status: string }> };
    assert.ok(health.frontend.lastHeal);
    assert.deepEqual(health.processes.map((p) => p.status), ['online', 'online', 'online', 'online']);
  });
});
