import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAgent, findAgent, sendToAgent, startAgent, typeMessage } from '../../apps/agents/index.ts';
import { FOLDED_NEWLINE, readAlerts, runsForegroundJob, shellQuote, type MailboxMessage } from '../../apps/core/src/index.ts';
import { createLogWatcher } from '../../apps/log-watcher/watcher.ts';
import { agentHarness } from '../helpers/agents.ts';
import { ROOT } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

const ESC = '\x1b';

// Message text that tries to become keystrokes, typed into real interactive programs.
describe('hostile message text in a real terminal', { timeout: 180_000 }, () => {
  const extra = mkdtempSync(join(tmpdir(), 'cx-ht-'));
  const appLog = join(extra, 'app.log');
  const userConfig = join(extra, 'cmux.yaml');
  writeFileSync(userConfig, `logWatcher:\n  files: [${JSON.stringify(appLog)}]\n`);
  const harness = agentHarness({ CMUX_CONFIG: userConfig });
  const { deps, base } = harness;
  const commands = join(base, 'commands.txt');
  const recorded = join(base, 'recorded.txt');
  const read = (file: string) => async () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  const windowOf = async (id: string) => (await findAgent(deps, id)).agent.windowId;
  const runs = async () => (await read(commands)()).split('\n').filter(Boolean);
  // Types a real command (not through cmux) and waits until bash has run it.
  const run = async (line: string) => {
    const before = (await runs()).length;
    await deps.tmux.sendText(await windowOf('shell'), line);
    await deps.tmux.sendKeys(await windowOf('shell'), 'Enter');
    await eventually(runs, (r) => r.length > before && r.at(-1) === line, 20_000);
  };

  before(async () => {
    for (const [name, command] of [
      ['shell', `COMMANDS_FILE=${shellQuote(commands)} bash --rcfile ${shellQuote(join(ROOT, 'test', 'fixtures', 'bash-commands.rc'))} --noprofile -i`],
      ['supervisor', `RECORD_FILE=${shellQuote(recorded)} bash --rcfile ${shellQuote(join(ROOT, 'test', 'fixtures', 'bash-recorder.rc'))} --noprofile -i`],
    ] as const) {
      await startAgent(deps, await createAgent(deps, { name, command, cwd: base, createdBy: 'user' }));
    }
    await run('true ready');
  });
  after(async () => {
    await harness.cleanup();
    rmSync(extra, { recursive: true, force: true });
  });

  it('a paste-end marker followed by keystrokes runs nothing (H1)', async () => {
    const pwned = join(base, 'pwned-h1');
    await sendToAgent(deps, 'shell', `# A1 ${ESC}[201~\x15touch ${pwned}\r`, 'user');
    await run('true after-h1');
    assert.equal(existsSync(pwned), false, 'the text after the marker ran as a command');
    const ran = await runs();
    assert.ok(ran.some((l) => l.startsWith('# A1 ^Utouch')), `the comment arrived whole, ^U shown: ${JSON.stringify(ran.slice(-4))}`);
    // An agent's `/exit` after the marker stays inside its one tagged input, never a prompt of its own.
    await sendToAgent(deps, 'supervisor', `x ${ESC}[201~\r/exit\r`, 'w1');
    assert.equal(await eventually(read(recorded), (t) => t.endsWith('<END>')), '[w1] x \n/exit\n<END>');
  });

  it('control keys inside a message stop, suspend or end nothing (M1)', async () => {
    const window = await windowOf('shell');
    const panePid = await deps.tmux.panePid(window);
    await deps.tmux.sendText(window, 'cat');
    await deps.tmux.sendKeys(window, 'Enter');
    await eventually(async () => runsForegroundJob(panePid), (busy) => busy === true, 20_000);
    const pwned = join(base, 'pwned-m1');
    await sendToAgent(deps, 'shell', `abc\x04\x04touch ${pwned}\x03\x1c\x1a\x13\x00tail`, 'user');
    // cat echoes what it read: the line came through whole, its controls visible.
    const shown = 'abc^D^Dtouch';
    await eventually(() => deps.tmux.capturePane(window), (p) => p.split('\n').filter((l) => l.startsWith(shown) && l.endsWith('^C^\\^Z^S^@tail')).length >= 2, 20_000);
    assert.equal(runsForegroundJob(panePid), true, 'cat still runs in the foreground');
    assert.equal((await deps.tmux.listWindows()).find((w) => w.windowId === window)?.paneDead, false);
    await deps.tmux.sendKeys(window, 'C-d');
    await eventually(async () => runsForegroundJob(panePid), (busy) => busy === false, 20_000);
    await run('true after-m1');
    assert.equal(existsSync(pwned), false);
    assert.deepEqual((await runs()).slice(-2), ['cat', 'true after-m1'], 'bash ran nothing from the message');
  });

  it('multi-line text to a shell busy with a job is one input, not one per line (M2)', async () => {
    const window = await windowOf('shell');
    const go = join(base, 'go');
    const job = `sh -c 'while [ ! -e ${go} ]; do sleep 0.1; done'`;
    await deps.tmux.sendText(window, job);
    await deps.tmux.sendKeys(window, 'Enter');
    await eventually(async () => runsForegroundJob(await deps.tmux.panePid(window)), (busy) => busy === true, 20_000);
    await sendToAgent(deps, 'shell', 'true one\ntrue two\n', 'user');
    writeFileSync(go, '');
    const folded = `true one${FOLDED_NEWLINE}true two`;
    const ran = await eventually(runs, (r) => r.includes(folded), 20_000);
    assert.deepEqual(ran.slice(ran.indexOf(job)), [job, folded]);
  });

  it('a message that ends in ";" or "\\;" arrives with its last character (tmux reads a final ";" as the end of a command)', async () => {
    for (const text of ['run the tests;', 'escaped\\;']) {
      const before = await read(recorded)();
      await sendToAgent(deps, 'supervisor', text, 'w1');
      const typed = (await eventually(read(recorded), (t) => t.length > before.length && t.endsWith('<END>'))).slice(before.length);
      assert.equal(typed, `[w1] ${text}<END>`);
    }
  });

  it('an alert from a log line full of escape sequences submits one clean message to the supervisor', async () => {
    writeFileSync(appLog, `2026-11-27T21:00:00Z ERROR boom ${ESC}[201~\r/exit\r${ESC}[31mred${ESC}[0m\x07\n`);
    const watcher = createLogWatcher(deps.config, deps.logger);
    assert.equal((await watcher.scan()).alerts >= 1, true);
    await watcher.stop();
    const [alert] = readAlerts(deps.config.home, 1);
    assert.ok(alert && !alert.title.includes(ESC) && !alert.title.includes('\r') && !alert.title.includes('\n'), JSON.stringify(alert?.title));
    assert.ok(!readFileSync(alert.file, 'utf8').includes(ESC), 'the alert file holds no escape sequence either');
    const messages = readFileSync(join(deps.config.home, 'mailbox.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as MailboxMessage)
      .filter((m) => m.to === 'supervisor' && m.subject.includes('boom'));
    assert.equal(messages.length, 1);
    const before = await read(recorded)();
    const typed = await typeMessage(deps, messages[0]!, { resumed: null, note: () => true, isStopping: () => false });
    assert.equal(typed.outcome, 'delivered');
    const text = (await eventually(read(recorded), (t) => t.length > before.length && t.endsWith('<END>'))).slice(before.length);
    assert.equal(text.split('<END>').length - 1, 1, `one submission: ${JSON.stringify(text)}`);
    assert.ok(!text.includes(ESC) && text.includes('boom') && text.startsWith('[system:log-watcher] [ALERT]'), JSON.stringify(text));
  });
});
