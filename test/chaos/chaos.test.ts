import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { appendMessage, isAlive, shellQuote, type MailboxMessage } from '../../apps/core/src/index.ts';
import { apiClient } from '../helpers/api.ts';
import { createInstance, processesMentioning, ROOT, type TestInstance } from '../helpers/instance.ts';
import { storedMessages } from '../helpers/load.ts';
import { eventually } from '../helpers/tmux.ts';

// How long faults and load run: CMUX_CHAOS_SECONDS (`npm run test:chaos` sets 600; the
// suite's short form, run by `npm test` and CI, is 75).
const SECONDS = Number(process.env.CMUX_CHAOS_SECONDS ?? 75);
const WORKERS = ['w1', 'w2'];
const APPS = ['cmux-server', 'cmux-router', 'cmux-log-watcher', 'cmux-frontend-healer'];

interface Figures {
  seconds: number;
  messages: number;
  faults: Record<string, number>;
  webhooks: number;
  restarts?: Record<string, number>;
}

describe(`chaos: ${SECONDS} s of faults under load`, { timeout: (SECONDS + 240) * 1000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const record = (w: string) => join(cmux.base, `${w}.jsonl`);
  const dist = () => join(cmux.base, 'dist');
  const figures: Figures = { seconds: SECONDS, messages: 0, faults: {}, webhooks: 0 };

  before(async () => {
    cmux = await createInstance({ userConfig: '' });
    api = apiClient(cmux);
    // A build folder of its own (start builds it there), so deleting it never touches the repository's.
    writeFileSync(
      cmux.env.CMUX_CONFIG!,
      `frontend:\n  dist: ${dist()}\nrouter:\n  unknownRecipientSeconds: 5\nlogWatcher:\n  cooldownSeconds: 5\nhealer:\n  apiTimeoutSeconds: 1\n  browserCheck: "off"\n  reinstallOnFailure: false\n`,
    );
    const start = await cmux.cli(['start'], { env: { CMUX_HEAL_INTERVAL: '1', CMUX_LOG_CHECK_INTERVAL: '1' } });
    assert.equal(start.exitCode, 0, String(start.stderr));
    const demo = `${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`;
    for (const w of [...WORKERS, 'victim']) {
      const spawned = await cmux.cli(['spawn', w, '--command', `CMUX_DEMO_RECORD=${shellQuote(join(cmux.base, `${w}.jsonl`))} ${demo}`]);
      assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    }
  });
  after(async () => cmux?.cleanup());

  it('delivers every valid message exactly once and heals or alerts every fault', async () => {
    const sent: MailboxMessage[] = [];
    const junk: string[] = [];
    const deadline = Date.now() + SECONDS * 1000;
    const running = () => Date.now() < deadline;
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const appPid = async (name: string) =>
      (JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; pid: number | null }> }).apps.find((a) => a.name === name)?.pid ?? null;

    const loads = [
      (async () => {
        for (let n = 0; running(); n++) {
          const to = WORKERS[n % WORKERS.length]!;
          sent.push(await appendMessage(cmux.home, { from: 'user', to, subject: `chaos-msg ${String(n).padStart(5, '0')} for ${to}` }));
          await pause(450);
        }
      })(),
      (async () => {
        for (let n = 0; running(); n++) {
          sent.push(await appendMessage(cmux.home, { from: WORKERS[n % 2]!, to: 'user', subject: `report ${n}` }));
          await pause(150);
        }
      })(),
      (async () => {
        while (running()) {
          const res = await api.call('POST', '/api/webhooks/ci', { build: 'green' }).catch(() => null);
          if (res?.status === 202) figures.webhooks += 1;
          await pause(2_000);
        }
      })(),
      (async () => {
        for (let n = 0; running(); n++) {
          appendFileSync(join(cmux.home, 'logs', 'cmux-server.err.log'), `${new Date().toISOString()} ERROR [chaos] injected failure ${n % 3}\n`);
          await pause(3_000);
        }
      })(),
    ];

    const faults: Array<[string, () => Promise<void>]> = [
      ...APPS.map((app) => [`SIGKILL ${app}`, async () => {
        const pid = await appPid(app);
        if (pid) process.kill(pid, 'SIGKILL');
      }] as [string, () => Promise<void>]),
      ['SIGSTOP the server for 2 s', async () => {
        const pid = await appPid('cmux-server');
        if (!pid) return;
        process.kill(pid, 'SIGSTOP');
        await pause(2_000);
        if (isAlive(pid)) process.kill(pid, 'SIGCONT');
      }],
      ['truncate a log', async () => truncateSync(join(cmux.home, 'logs', 'cmux-router.out.log'), 0)],
      ['rotate a log', async () => {
        const log = join(cmux.home, 'logs', 'cmux-server.err.log');
        renameSync(log, `${log}.${Date.now()}`);
        writeFileSync(log, '', { mode: 0o600 });
      }],
      ['delete the dashboard build', async () => rmSync(dist(), { recursive: true, force: true })],
      ['junk in the mailbox', async () => {
        const line = `junk ${junk.length} {not json`;
        junk.push(line);
        appendFileSync(join(cmux.home, 'mailbox.jsonl'), `${line}\n`);
      }],
    ];
    let victimKilled = false;
    while (running()) {
      await pause(3_000 + Math.random() * 3_000);
      if (!running()) break;
      if (!victimKilled && Date.now() > deadline - (SECONDS * 1000) / 2) {
        const victim = (await api.call<Array<{ id: string; windowId: string }>>('GET', '/api/agents').catch(() => null))?.body.find((a) => a.id === 'victim');
        if (victim) {
          await execa('tmux', ['-S', cmux.socket, 'kill-window', '-t', victim.windowId], { timeout: 5_000, reject: false });
          victimKilled = true;
          figures.faults['kill an agent window'] = 1;
          continue;
        }
      }
      const [name, fault] = faults[Math.floor(Math.random() * faults.length)]!;
      await fault();
      figures.faults[name] = (figures.faults[name] ?? 0) + 1;
    }
    await Promise.all(loads);
    figures.messages = sent.length;

    // Quiet again: every app back online, every message stored and delivered.
    const apps = await eventually(
      async () => (JSON.parse(String((await cmux.cli(['status', '--json'])).stdout)) as { apps: Array<{ name: string; status: string; restarts: number }> }).apps,
      (list) => list.every((a) => a.status === 'online'),
      60_000,
    ).catch((error: unknown) => {
      // Say which app and why, from its own error log.
      const logs = APPS.map((app) => `--- ${app}.err.log\n${readFileSync(join(cmux.home, 'logs', `${app}.err.log`), 'utf8').split('\n').slice(-15).join('\n')}`);
      throw new Error(`${(error as Error).message}\n${logs.join('\n')}`);
    });
    figures.restarts = Object.fromEntries(apps.map((a) => [a.name, a.restarts]));
    const byId = await eventually(
      async () => new Map(storedMessages(cmux.home).map((m) => [m.id, m])),
      (stored) => sent.every((m) => stored.get(m.id)?.status === 'delivered'),
      120_000,
    );
    assert.equal(sent.filter((m) => byId.get(m.id)?.status === 'delivered').length, sent.length);
    for (const w of WORKERS) {
      const expected = sent.filter((m) => m.to === w).map((m) => m.subject);
      const typed = readFileSync(record(w), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
      assert.deepEqual(typed, expected, `${w} got every message once, in order`);
    }

    // Every fault healed or alerted.
    const health = await eventually(async () => (await api.call<{ status: string }>('GET', '/health')).body, (h) => h.status === 'healthy', 60_000);
    assert.equal(health.status, 'healthy', 'the dashboard is healed');
    const alerts = (await api.call<Array<{ source: string; kind: string; title: string }>>('GET', '/api/alerts?limit=1000')).body;
    assert.ok(alerts.some((a) => a.source === 'log-watcher' && a.title.includes('injected failure')), 'log errors alerted');
    if (victimKilled) assert.ok(alerts.some((a) => a.kind === 'discrepancy' && a.title.includes('victim')), 'the killed window alerted');
    const dead = existsSync(join(cmux.home, 'mailbox.dead.jsonl')) ? readFileSync(join(cmux.home, 'mailbox.dead.jsonl'), 'utf8') : '';
    for (const line of junk) assert.ok(dead.includes(JSON.stringify(line).slice(1, -1)), `junk line dead-lettered: ${line}`);

    // The files are valid.
    const registry = parseYaml(readFileSync(join(cmux.home, 'agents.yaml'), 'utf8')) as { agents: Record<string, unknown> };
    assert.deepEqual(Object.keys(registry.agents).sort(), ['supervisor', 'victim', 'w1', 'w2']);
    const lines = readFileSync(join(cmux.home, 'mailbox.jsonl'), 'utf8').split('\n').filter(Boolean);
    const invalid = lines.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    assert.deepEqual(invalid, junk.filter((j) => lines.includes(j)), 'only the injected junk is not JSON');

    const stop = await cmux.cli(['stop']);
    assert.equal(stop.exitCode, 0, String(stop.stderr));
    assert.deepEqual(processesMentioning(cmux.base), []);
    if (process.env.CMUX_CHAOS_FIGURES) writeFileSync(process.env.CMUX_CHAOS_FIGURES, JSON.stringify(figures));
    process.stdout.write(`chaos figures: ${JSON.stringify(figures)}\n`);
  });
});
