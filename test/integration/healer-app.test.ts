import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { appEntry, isAlive, readAlerts } from '../../apps/core/src/index.ts';
import { apiClient } from '../helpers/api.ts';
import { createInstance, processesMentioning, ROOT, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

interface Status {
  apps: Array<{ name: string; pid: number | null; status: string; restarts: number }>;
}

describe('cmux-frontend-healer under PM2', { timeout: 180_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const server = async () => (JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as Status).apps.find((a) => a.name === 'cmux-server')!;
  before(async () => {
    cmux = await createInstance({ userConfig: 'healer:\n  apiTimeoutSeconds: 1\n  apiFailuresBeforeRestart: 2\n  browserCheck: "off"\nprocesses:\n  killTimeoutMs: 1000\n' });
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
      // 2 failed checks of 1 s, then PM2's kill_timeout (1 s here) for a process that cannot answer SIGINT.
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

  it('rebuilds on `cmux heal` and reports the heal in health', async () => {
    const heal = await cmux.cli(['heal'], { timeoutMs: 120_000 });
    assert.equal(heal.exitCode, 0, String(heal.stderr));
    assert.match(String(heal.stdout), /healed at .*; the dashboard is healthy/);
    const health = (await (await fetch(`http://127.0.0.1:${cmux.port}/health`)).json()) as { frontend: { lastHeal: string | null }; processes: Array<{ name: string; status: string }> };
    assert.ok(health.frontend.lastHeal);
    assert.deepEqual(health.processes.map((p) => p.status), ['online', 'online', 'online', 'online']);
  });

  it('waits longer before each restart while the server keeps failing (1 s, 2 s, 4 s), and says so', async () => {
    await eventually(async () => (await fetch(`http://127.0.0.1:${cmux.port}/health`).catch(() => null))?.status, (s) => s === 200, 60_000);
    const restarts = () => readAlerts(cmux.home, 1_000).filter((a) => a.kind === 'api-restart').reverse();
    const before = restarts().length;
    // Every server PM2 starts is stopped before it can answer, so health keeps failing.
    const stopped = new Set<number>();
    let holding = true;
    const hold = (async () => {
      while (holding) {
        for (const { pid, command } of processesMentioning(cmux.base)) {
          if (!command.includes(appEntry(ROOT, 'cmux-server').bundle) || stopped.has(pid)) continue;
          try {
            process.kill(pid, 'SIGSTOP');
            stopped.add(pid);
          } catch {
            // Gone already.
          }
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let seen: ReturnType<typeof restarts>;
    try {
      seen = await eventually(async () => restarts().slice(before), (list) => list.length >= 3, 120_000);
    } finally {
      holding = false;
      await hold;
      for (const pid of stopped) if (isAlive(pid)) process.kill(pid, 'SIGCONT');
    }
    const waits = seen.slice(0, 3).map((a) => Number(/the next restart waits at least (\d+) s/.exec(readFileSync(a.file, 'utf8'))?.[1]));
    assert.deepEqual(waits, [2, 4, 8], 'the backoff doubles');
    const at = seen.slice(0, 3).map((a) => Date.parse(a.ts));
    assert.ok(at[1]! - at[0]! >= 1_000 && at[2]! - at[1]! >= 2_000, `restarts ${at[1]! - at[0]!} and ${at[2]! - at[1]!} ms apart`);
    await eventually(async () => (await fetch(`http://127.0.0.1:${cmux.port}/health`).catch(() => null))?.status, (s) => s === 200, 60_000);
  });
});
