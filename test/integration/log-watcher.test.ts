import assert from 'node:assert/strict';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statfsSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAgent, startAgent } from '../../apps/agents/index.ts';
import { createLogger, isCmuxError, loadConfig, readAlerts, type Alert } from '../../apps/core/src/index.ts';
import { createLogWatcher } from '../../apps/log-watcher/watcher.ts';
import { agentHarness } from '../helpers/agents.ts';
import { cleanEnv } from '../helpers/instance.ts';

interface MailLine {
  from: string;
  to: string;
  subject: string;
  body: string;
}

describe('the log watcher, scan by scan', { timeout: 120_000 }, () => {
  const harness = agentHarness();
  const { config } = harness.deps;
  const extraDir = join(harness.base, 'extra');
  const log = join(extraDir, 'app.log');
  const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
  let watcher: ReturnType<typeof createLogWatcher>;
  let alertsSeen = 0;

  // The alerts raised since the last call.
  const newAlerts = (): Alert[] => {
    const all = readAlerts(config.home, 100_000).reverse();
    const fresh = all.slice(alertsSeen);
    alertsSeen = all.length;
    return fresh;
  };
  const mail = (): MailLine[] =>
    existsSync(join(config.home, 'mailbox.jsonl'))
      ? readFileSync(join(config.home, 'mailbox.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as MailLine)
      : [];

  before(async () => {
    mkdirSync(extraDir, { recursive: true });
    writeFileSync(log, 'startup INFO all good\n');
  });
  after(async () => harness.cleanup());

  it('starts clean: no alert for a log without errors', async () => {
    writeFileSync(join(harness.base, 'watch.yaml'), `logWatcher:\n  files: ["${join(extraDir, '*.log')}"]\n  cooldownSeconds: 2\n`);
    const cfg = loadConfig({ env: { ...cleanEnv(), CMUX_HOME: config.home, CMUX_TMUX_SOCKET: (config.tmux.socket as { path: string }).path, CMUX_CONFIG: join(harness.base, 'watch.yaml') }, cwd: harness.base });
    watcher = createLogWatcher(cfg, quiet);
    const report = await watcher.scan();
    assert.equal(report.files, 1);
    assert.equal(report.alerts, 0);
    newAlerts();
  });

  it('alerts on 3 distinct errors and a 20-line stack trace as 4 findings, each with a journal file', async () => {
    const trace = ['TypeError: Cannot read properties of undefined (reading \'x\')', ...Array.from({ length: 19 }, (_, i) => `    at fn${i} (/app/src/mod${i}.js:${i + 1}:${i + 7})`)];
    appendFileSync(log, ['2026-11-26T05:00:00Z ERROR database is locked', 'a CRITICAL temperature', 'job FAILED with code 3', '2026-11-26T05:00:01Z Unhandled rejection', ...trace, 'INFO: fine again', ''].join('\n'));
    const report = await watcher.scan();
    assert.equal(report.findings, 4);
    const alerts = newAlerts();
    assert.equal(alerts.length, 4);
    for (const alert of alerts) {
      assert.ok(existsSync(alert.file), alert.file);
      assert.match(readFileSync(alert.file, 'utf8'), /## Suggested next step/);
    }
    const stack = alerts.find((a) => a.title.includes('Unhandled'))!;
    assert.match(readFileSync(stack.file, 'utf8'), /at fn18 \(\/app\/src\/mod18\.js:19:25\)/, 'the whole trace is one finding');
    const toSupervisor = mail().filter((m) => m.from === 'system:log-watcher' && m.to === 'supervisor');
    assert.equal(toSupervisor.length, 4);
    assert.ok(toSupervisor.every((m) => m.subject.startsWith('[ALERT] app: ') && alerts.some((a) => m.body.includes(a.file))));
  });

  it('alerts once for 1 000 repeats inside the cooldown, then sends one summary with the count', async () => {
    appendFileSync(log, Array.from({ length: 1000 }, (_, i) => `2026-11-26T05:01:${String(i % 60).padStart(2, '0')}Z ERROR request ${i} failed for user 4${i}\n`).join(''));
    await watcher.scan();
    assert.equal(newAlerts().length, 1);
    await watcher.scan();
    assert.equal(newAlerts().length, 0, 'nothing new, and the cooldown is not over');
    await new Promise((r) => setTimeout(r, 2_100));
    await watcher.scan();
    const summary = newAlerts();
    assert.equal(summary.length, 1);
    assert.equal(summary[0]!.count, 999);
    assert.equal(summary[0]!.kind, 'log-summary');
  });

  it('finds an error after truncate -s 0, and every error around a rotation, none twice', async () => {
    truncateSync(log, 0);
    appendFileSync(log, 'ERROR after truncation\n');
    await watcher.scan();
    assert.deepEqual(newAlerts().map((a) => a.title), ['app: ERROR after truncation']);
    appendFileSync(log, 'ERROR just before rotation\n');
    renameSync(log, join(extraDir, 'app.log.1'));
    appendFileSync(join(extraDir, 'app.log.1'), 'ERROR in the old file after the rename\n');
    writeFileSync(log, 'ERROR in the new file\n');
    await watcher.scan();
    assert.deepEqual(newAlerts().map((a) => a.title).sort(), ['app: ERROR in the new file', 'app: ERROR in the old file after the rename', 'app: ERROR just before rotation']);
    await watcher.scan();
    assert.deepEqual(newAlerts(), []);
  });

  it('finds a 500 on an INFO line, never its own alerts or the router delivering them', async () => {
    appendFileSync(log, 'INFO:     127.0.0.1:5000 - "POST /api/x HTTP/1.1" 500 Internal Server Error\n');
    appendFileSync(log, 'INFO: GET /api/webhooks/health ERROR-free\n');
    appendFileSync(log, '2026-11-26T05:02:00Z INFO [cmux-router] delivered 1234 system:log-watcher -> supervisor in 3 ms ERROR\n');
    await watcher.scan();
    const alerts = newAlerts();
    assert.equal(alerts.length, 1, alerts.map((a) => a.title).join(' | '));
    assert.match(alerts[0]!.title, /"POST \/api\/x HTTP\/1\.1" 500/);
  });

  it('alerts a real error within one scan interval behind 1 000 crafted 64 KiB lines aimed at the stack-frame pattern', async () => {
    // Each of these once cost the frame pattern seconds of backtracking (issue 25, finding 6).
    const crafted = Buffer.from(`    at ${'('.repeat(64 * 1024 - 8)}\n`);
    const fd = openSync(log, 'a');
    try {
      for (let i = 0; i < 1_000; i++) writeSync(fd, crafted);
      writeSync(fd, '2026-11-26T05:03:00Z ERROR the real one\n');
    } finally {
      closeSync(fd);
    }
    const interval = loadConfig({ env: {} }).logWatcher.intervalSeconds * 1000;
    const started = Date.now();
    await watcher.scan();
    const took = Date.now() - started;
    assert.deepEqual(newAlerts().map((a) => a.title), ['app: 2026-11-26T05:03:00Z ERROR the real one']);
    assert.ok(took < interval, `the scan took ${took} ms, more than the ${interval} ms between two scans`);
  });

  it('matches a long line by its first 4 KiB and shows it by that head and its length', async () => {
    appendFileSync(log, `INFO ${'x'.repeat(8 * 1024)} ERROR too far in to count\n`);
    appendFileSync(log, `ERROR near the start of a long line ${'y'.repeat(8 * 1024)}\n`);
    await watcher.scan();
    const alerts = newAlerts();
    assert.equal(alerts.length, 1, alerts.map((a) => a.title).join(' | '));
    assert.match(alerts[0]!.title, /^app: ERROR near the start of a long line y+$/);
    const shown = readFileSync(alerts[0]!.file, 'utf8').split('\n').find((l) => l.startsWith('> '))!;
    assert.match(shown, /^> ERROR near the start of a long line y+ … \(8228 bytes\)$/);
    assert.equal(Buffer.byteLength(shown), 2 + 4 * 1024 + ' … (8228 bytes)'.length + 2, 'the head is the first 4 KiB');
  });

  it('waits for the rest of a half-written line, then finds it whole', async () => {
    appendFileSync(log, 'ERROR half of a li');
    await watcher.scan();
    assert.deepEqual(newAlerts(), []);
    appendFileSync(log, 'ne, and the other half\n');
    await watcher.scan();
    assert.deepEqual(newAlerts().map((a) => a.title), ['app: ERROR half of a line, and the other half']);
  });

  it('survives binary junk and picks up a new file that matches the glob', async () => {
    appendFileSync(log, Buffer.from([0xff, 0xfe, 0x00, 0x45, 0x52, 0x52, 0x4f, 0x52, 0x20, 0x80, 0x0a]));
    writeFileSync(join(extraDir, 'second.log'), 'CRITICAL from a new file\n');
    const report = await watcher.scan();
    assert.equal(report.files, 2, 'app.log and second.log; app.log.1 is not *.log');
    assert.ok(newAlerts().some((a) => a.title === 'second: CRITICAL from a new file'));
  });

  it('reports a worker window killed behind cmux\'s back once, not once per scan', async () => {
    const agent = await createAgent(harness.deps, { name: 'doomed', command: 'cat', cwd: harness.base, createdBy: 'test' });
    await startAgent(harness.deps, agent);
    await watcher.scan();
    newAlerts();
    await harness.deps.tmux.killWindow(agent.windowId);
    await watcher.scan();
    await watcher.scan();
    const alerts = newAlerts().filter((a) => a.kind === 'discrepancy');
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]!.title, /registered agent doomed has no tmux window/);
  });

  it('records one metrics sample per scan', async () => {
    const read = () => {
      const files = readdirSync(join(config.home, 'metrics'));
      assert.equal(files.length, 1, 'one file a day');
      return readFileSync(join(config.home, 'metrics', files[0]!), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { loadAverage: number[]; disk: { usedPercent: number }; memory: { usedPercent: number }; agents: number });
    };
    await watcher.scan();
    const before = read().length;
    await watcher.scan();
    await watcher.scan();
    const samples = read();
    assert.equal(samples.length, before + 2);
    const last = samples.at(-1)!;
    assert.equal(last.loadAverage.length, 3);
    assert.ok(last.disk.usedPercent > 0 && last.memory.usedPercent > 0);
    assert.equal(last.agents, 1);
  });

  it('alerts once when the disk holding CMUX_HOME is fuller than the limit, and again after it was not', async () => {
    const home = join(harness.base, 'disk-home');
    mkdirSync(home, { recursive: true });
    const fs = statfsSync(home);
    const used = (1 - fs.bavail / fs.blocks) * 100;
    assert.ok(used > 2, `the test needs a disk more than 2% used (${used.toFixed(1)}%)`);
    const watcherWith = (percent: number) => {
      writeFileSync(join(harness.base, 'disk.yaml'), `logWatcher:\n  diskAlertPercent: ${percent}\n`);
      return createLogWatcher(loadConfig({ env: { ...cleanEnv(), CMUX_HOME: home, CMUX_TMUX_SOCKET: join(harness.base, 'disk-tmux.sock'), CMUX_CONFIG: join(harness.base, 'disk.yaml') }, cwd: harness.base }), quiet);
    };
    const diskAlerts = () => readAlerts(home, 100).filter((a) => a.kind === 'disk');
    const full = watcherWith(Math.floor(used) - 1);
    assert.equal((await full.scan()).alerts, 1);
    const [alert] = diskAlerts();
    assert.match(alert!.title, new RegExp(`^the disk holding ${home} is [\\d.]+% full$`));
    assert.ok(Math.abs(Number(/is ([\d.]+)% full/.exec(alert!.title)![1]) - used) < 1, `${alert!.title} vs ${used.toFixed(1)}%`);
    assert.ok(readFileSync(alert!.file, 'utf8').includes('Free space, or move CMUX_HOME'));
    const told = readFileSync(join(home, 'mailbox.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as MailLine);
    assert.deepEqual(told.map((m) => [m.from, m.to, m.subject]), [['system:log-watcher', 'supervisor', `[ALERT] ${alert!.title}`]]);
    assert.equal((await full.scan()).alerts, 0, 'not again while it stays full');
    assert.equal((await watcherWith(100).scan()).alerts, 0, 'below the limit');
    assert.equal((await watcherWith(Math.floor(used) - 1).scan()).alerts, 1, 'full again: alerted again');
    assert.equal(diskAlerts().length, 2);
  });

  it('refuses a bad regex in the configuration, naming the pattern and the reason', () => {
    writeFileSync(join(harness.base, 'bad.yaml'), 'logWatcher:\n  errorPatterns: ["ERROR", "(unclosed"]\n');
    assert.throws(
      () => loadConfig({ env: { ...cleanEnv(), CMUX_CONFIG: join(harness.base, 'bad.yaml') }, cwd: harness.base }),
      (e) => isCmuxError(e, 'CMUX_ERR_CONFIG_INVALID') && /logWatcher\.errorPatterns\.1 in .*bad\.yaml: not a valid regular expression: .*\(got "\(unclosed"\)/.test(e.message),
    );
  });
});
