import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { openHistory } from '../../apps/core/src/index.ts';
import { agentHarness } from '../helpers/agents.ts';
import { commitAll, makeRepo } from '../helpers/git-repo.ts';
import { CLI, cleanEnv, ROOT } from '../helpers/instance.ts';
import { eventually, tmuxCommand } from '../helpers/tmux.ts';

// Text an agent can store (a task, a journal entry, a message, a log line, a file, a commit):
// OSC 0 sets the terminal's title, OSC 52 its clipboard, `ESC[8m` hides what follows, `ESC[2J`
// clears the screen, CSI in its 8-bit form (C1), and a carriage return that writes over a line.
const HOSTILE = `T-${'x'}\x1b]0;PWNED-TITLE\x07 \x1b]52;c;${Buffer.from('pwned-clipboard').toString('base64')}\x07 \x1b[8mhidden\x1b[0m \x1b[2J \x9b31mC1 over\rwritten`;
const SHOWN = 'T-x^[]0;PWNED-TITLE^G ^[]52;c;cHduZWQtY2xpcGJvYXJk^G ^[[8mhidden^[[0m ^[[2J ^[[31mC1 over\nwritten';
// Every control character but newline and tab, as the terminal would get it.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('the CLI prints text from storage, agents and logs with its control characters made visible', { timeout: 240_000 }, () => {
  const harness = agentHarness();
  const { deps, home, base } = harness;
  const socket = { kind: 'path' as const, path: join(base, 'tmux.sock') };
  const env = { ...cleanEnv(), CMUX_HOME: home, CMUX_TMUX_SOCKET: socket.path };
  const cli = (...args: string[]) => execa(process.execPath, [CLI, ...args], { env, extendEnv: false, reject: false, timeout: 60_000, cwd: ROOT, stdin: 'ignore' });
  const logFile = join(home, 'logs', 'cmux-server.out.log');

  before(async () => {
    assert.equal((await cli('task', 'add', HOSTILE, '--description', HOSTILE)).exitCode, 0);
    assert.equal((await cli('journal', 'add', '--title', HOSTILE, '--content', HOSTILE)).exitCode, 0);
    const history = openHistory(home);
    history.insert({ id: 'm-hostile', ts: new Date().toISOString(), from: 'w1', to: 'user', subject: HOSTILE, body: `${HOSTILE}\nsecond line` }, 'delivered');
    history.close();
    mkdirSync(join(home, 'logs'), { recursive: true });
    writeFileSync(logFile, `2026-01-01T00:00:00.000Z INFO [cmux-server] ${HOSTILE}\n`);
    // A worktree worker whose commit subject, file name and file hold it too.
    const repo = await makeRepo(join(base, 'repo'));
    // …and whose program prints it to its terminal.
    writeFileSync(join(base, 'hostile.txt'), `${HOSTILE}\n`);
    const spawned = await cli('spawn', 'd1', '--worktree', '--cwd', repo, '--command', `cat ${join(base, 'hostile.txt')}; exec sleep 600`, '--no-wait');
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    const worktree = join(home, 'worktrees', 'd1');
    writeFileSync(join(worktree, 'notes.txt'), `${HOSTILE}\n`);
    await commitAll(worktree, HOSTILE);
    writeFileSync(join(worktree, 'evil\x1b]0;PWNED-NAME\x07.txt'), `${HOSTILE}\n`);
  });
  after(async () => harness.cleanup());

  it('task, journal, mail, logs, diff, merge preview, terminal and agents print no control character (the stored text shows, made visible)', async () => {
    const commands: Array<[string[], boolean]> = [
      [['task', 'list'], true],
      [['task', 'show', '1'], true],
      [['journal', 'show'], true],
      [['journal', 'search', 'PWNED'], true],
      [['mail', 'read', '--agent', 'w1'], true],
      [['logs', 'cmux-server'], true],
      [['diff', 'd1'], true],
      [['diff', 'd1', '--stat'], false],
      [['merge', 'd1', '--dry-run'], true],
      [['terminal', 'd1'], false],
      [['agents'], false],
    ];
    const printed = new Map<string, string>();
    for (const [args, showsIt] of commands) {
      const run = await cli(...args);
      const what = `cmux ${args.join(' ')}`;
      assert.equal(run.exitCode, 0, `${what}: ${String(run.stderr)}`);
      const out = `${String(run.stdout)}${String(run.stderr)}`;
      assert.doesNotMatch(out, CONTROL, `${what} printed a control character: ${JSON.stringify(out.match(CONTROL)?.[0])} in ${JSON.stringify(out.slice(0, 300))}`);
      if (showsIt) assert.ok(String(run.stdout).includes(SHOWN.split('\n')[0]!), `${what} shows the text, made visible: ${JSON.stringify(String(run.stdout).slice(0, 400))}`);
      printed.set(args.join(' '), String(run.stdout));
    }
    assert.match(printed.get('diff d1 --stat')!, /evil\^\[\]0;PWNED-NAME\^G\.txt/, 'a file name made visible');
    assert.doesNotMatch(printed.get('terminal d1')!, /PWNED-TITLE/, 'tmux itself took the escape sequences the agent printed');
  });

  it('prints it as stored with --raw, and exactly (every control character escaped) with --json', async () => {
    const raw = await cli('task', 'list', '--raw');
    assert.ok(String(raw.stdout).includes(HOSTILE), JSON.stringify(String(raw.stdout)));
    const json = await cli('task', 'list', '--json');
    assert.doesNotMatch(String(json.stdout), CONTROL, 'no control character reaches the terminal in JSON either');
    assert.equal((JSON.parse(String(json.stdout)) as Array<{ title: string }>)[0]!.title, HOSTILE, 'JSON carries the text exactly');
    const mail = JSON.parse(String((await cli('mail', 'read', '--agent', 'w1', '--json')).stdout)) as Array<{ subject: string }>;
    assert.equal(mail[0]!.subject, HOSTILE);
  });

  it('follows a log with its new lines made visible (logs -f)', async () => {
    const follow = execa(process.execPath, [CLI, 'logs', 'cmux-server', '-f', '-n', '1'], { env, extendEnv: false, reject: false, cwd: ROOT, stdin: 'ignore', detached: true, buffer: false });
    let out = '';
    follow.stdout!.setEncoding('utf8');
    follow.stdout!.on('data', (chunk: string) => (out += chunk));
    try {
      await eventually(async () => out, (text) => text.includes('PWNED-TITLE'), 30_000);
      appendFileSync(logFile, `2026-01-01T00:00:01.000Z INFO [cmux-server] follow ${HOSTILE}\n`);
      await eventually(async () => out, (text) => text.includes(`follow ${SHOWN}`), 30_000);
      assert.doesNotMatch(out, CONTROL);
    } finally {
      // The CLI and its `tail`, as a group.
      process.kill(-follow.pid!, 'SIGTERM');
      await follow;
    }
  });

  it('in a real terminal (a tmux pane that lets programs set the clipboard), the pane\'s title stays and no clipboard buffer is made', async () => {
    await tmuxCommand(socket, ['set-option', '-s', 'set-clipboard', 'on']);
    const vars = Object.entries({ CMUX_HOME: home, CMUX_TMUX_SOCKET: socket.path }).map(([k, v]) => `${k}='${v}'`).join(' ');
    const run = (args: string) => `env ${vars} ${process.execPath} ${CLI} ${args}`;
    const script = `printf '\\033]2;%s\\033\\\\' before; ${run('task list')}; ${run('journal show')}; ${run('mail read --agent w1')}; echo CLI-DONE; exec sleep 600`;
    const window = await deps.tmux.newWindow({ session: 'cmux', name: 'reader', command: [script], cwd: base });
    await eventually(() => deps.tmux.capturePane(window), (text) => text.includes('CLI-DONE'), 60_000);
    const title = (await tmuxCommand(socket, ['display-message', '-p', '-t', window, '#{pane_title}'])).trim();
    const buffers = await tmuxCommand(socket, ['list-buffers']);
    assert.deepEqual({ title, buffers }, { title: 'before', buffers: '' }, 'the pane\'s title stays, and no clipboard buffer is made');
  });
});
