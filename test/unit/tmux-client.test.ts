import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTmuxClient, type TmuxClient, type TmuxSocket } from '../../apps/core/src/index.ts';
import { ROOT } from '../helpers/instance.ts';
import { eventually, privateTmux, rejectsWith, tmuxCommand } from '../helpers/tmux.ts';

// Every case runs on both ways of reaching tmux: a tmux spawned per call (the CLI's) and the
// control-mode connection the apps keep (which falls back to spawning until the session exists).
for (const transport of ['spawn', 'control'] as const)
describe(`tmux client on a private socket (${transport})`, { timeout: 60_000 }, () => {
  let ctx: ReturnType<typeof privateTmux>;
  let tmux: TmuxClient;
  let socket: TmuxSocket;
  before(() => {
    ctx = privateTmux(transport === 'control' ? { controlSession: 'cmux' } : {});
    tmux = ctx.tmux;
    socket = { kind: 'path', path: ctx.socket };
  });
  after(async () => ctx.cleanup());

  it('reports no server before one is started', async () => {
    assert.match(await tmux.version(), /^tmux \d/);
    assert.equal(await tmux.hasServer(), false);
    assert.deepEqual(await tmux.listWindows(), []);
    assert.equal(await tmux.hasSession('cmux'), false);
    await rejectsWith(tmux.capturePane('@0'), 'CMUX_ERR_TMUX_NO_SERVER');
    assert.equal(await tmux.killServer(), false);
  });

  it('lists no windows and finds no session on a server that has no session yet (a concurrent spawn is creating the first)', async () => {
    await tmuxCommand(socket, ['-f', '/dev/null', 'start-server', ';', 'set-option', '-g', 'exit-empty', 'off']);
    try {
      assert.equal(await tmux.hasServer(), true);
      assert.deepEqual(await tmux.listWindows(), []);
      // tmux answers "no current target" here, not "can't find session": 1 of 50 concurrent spawns failed on it.
      assert.equal(await tmux.hasSession('cmux'), false);
    } finally {
      await tmux.killServer();
    }
  });

  it('starts its server with cmux\'s tmux.conf, whatever the user\'s ~/.tmux.conf says', async () => {
    const fakeHome = join(ctx.dir, 'home');
    mkdirSync(fakeHome);
    writeFileSync(join(fakeHome, '.tmux.conf'), 'set -g history-limit 7\nset -g automatic-rename on\nset -g base-index 5\n');
    const realHome = process.env.HOME;
    process.env.HOME = fakeHome;
    try {
      const id = await tmux.newSession({ session: 'cmux', name: 'control', command: ['cat'] });
      assert.match(id, /^@\d+$/);
    } finally {
      process.env.HOME = realHome;
    }
    // From here on, the control client's calls go down its connection.
    if (transport === 'control') await eventually(async () => tmux.streamedSession, (session) => session === 'cmux');
    else assert.equal(tmux.streamedSession, null);
    const options = await tmuxCommand(socket, ['show-options', '-g']);
    assert.match(options, /^history-limit 50000$/m);
    assert.match(options, /^base-index 0$/m);
    assert.match(await tmuxCommand(socket, ['show-window-options', '-g']), /^automatic-rename off$/m);
    assert.equal(await tmux.hasServer(), true);
    assert.equal(await tmux.hasSession('cmux'), true);
  });

  it('creates named windows with their environment and lists every window in one call', async () => {
    const out = join(ctx.dir, 'env.txt');
    const id = await tmux.newWindow({
      session: 'cmux',
      name: 'worker-1',
      env: { CMUX_AGENT: '1', CMUX_AGENT_NAME: 'worker-1', ODD: 'a b;$c' },
      cwd: ctx.dir,
      command: ['sh', '-c', `printf '%s|%s|%s|%s' "$CMUX_AGENT" "$CMUX_AGENT_NAME" "$ODD" "$PWD" > ${out}; exec cat`],
    });
    await eventually(async () => existsSync(out) && readFileSync(out, 'utf8'), (text) => Boolean(text));
    assert.equal(readFileSync(out, 'utf8'), `1|worker-1|a b;$c|${ctx.dir}`);
    const windows = await tmux.listWindows();
    const row = windows.find((w) => w.windowId === id);
    assert.ok(row);
    assert.equal(row.name, 'worker-1');
    assert.equal(row.session, 'cmux');
    assert.equal(row.paneDead, false);
    assert.ok(row.panePid > 0);
    assert.match(row.paneId, /^%\d+$/);
  });

  it('keeps a window\'s id when a person renames it', async () => {
    const id = await tmux.newWindow({ session: 'cmux', name: 'renamed', command: ['cat'] });
    await tmuxCommand(socket, ['rename-window', '-t', id, 'a name: with spaces']);
    const row = (await tmux.listWindows()).find((w) => w.windowId === id);
    assert.equal(row?.name, 'a name: with spaces');
    // tmux escapes control characters in formats, so a tab in a name cannot split a row.
    await tmuxCommand(socket, ['rename-window', '-t', id, 'tab\there']);
    const tabbed = (await tmux.listWindows()).find((w) => w.windowId === id);
    assert.equal(tabbed?.name, 'tab\\there');
  });

  it('reads every window\'s interrupt mark and when an interrupt last saw its turn stop, in one call', async () => {
    const marked = await tmux.newWindow({ session: 'cmux', name: 'marked', command: ['cat'] });
    const plain = await tmux.newWindow({ session: 'cmux', name: 'plain', command: ['cat'] });
    await tmux.markInterrupted(marked, '1700000000000-abc123');
    await tmux.markTurnStopped(marked, 1_700_000_001_234);
    const marks = await tmux.interruptMarks();
    assert.deepEqual(marks.get(marked), { mark: '1700000000000-abc123', turnStoppedAt: 1_700_000_001_234 });
    assert.deepEqual(marks.get(plain), { mark: '', turnStoppedAt: null });
    // A value set by hand that is no time is none.
    await tmuxCommand(socket, ['set-option', '-w', '-t', plain, '@cmux-turn-stopped', 'soon']);
    assert.deepEqual((await tmux.interruptMarks()).get(plain), { mark: '', turnStoppedAt: null });
  });

  it('types literal text and presses keys: nothing is read as a key name', async () => {
    const file = join(ctx.dir, 'typed.txt');
    const id = await tmux.newWindow({ session: 'cmux', name: 'typist', command: ['sh', '-c', `cat > ${file}`] });
    const text = `Enter C-c "quotes" 'single' $HOME \`tick\` \\back ~!@#%^&*() ünïcødé 🚀\tTab`;
    await tmux.sendText(id, text);
    await tmux.sendKeys(id, 'Enter');
    await eventually(async () => (existsSync(file) ? readFileSync(file, 'utf8') : ''), (t) => t.endsWith('\n'));
    assert.equal(readFileSync(file, 'utf8'), `${text}\n`);
  });

  it('keeps a final ";" in typed text, an environment value and a command argument (tmux reads none as the end of a command)', async () => {
    const file = join(ctx.dir, 'semicolons.txt');
    const id = await tmux.newWindow({
      session: 'cmux',
      name: 'semicolons',
      env: { ENDS: 'value;' },
      command: ['sh', '-c', `printf '%s|%s\\n' "$ENDS" "$1" > ${file}; exec cat >> ${file}`, 'sh', 'argument;'],
    });
    for (const text of ['run the tests;', ';', 'escaped\\;', 'a;b']) {
      await tmux.sendText(id, text);
      await tmux.sendKeys(id, 'Enter');
    }
    const expected = 'value;|argument;\nrun the tests;\n;\nescaped\\;\na;b\n';
    await eventually(async () => (existsSync(file) ? readFileSync(file, 'utf8') : ''), (t) => t.length >= expected.length);
    assert.equal(readFileSync(file, 'utf8'), expected);
  });

  it('starts windows and sessions in exactly the folder given: tmux expands no format in it and runs nothing', async () => {
    const canary = join(ctx.dir, 'canary');
    // What tmux would read as formats (`#(…)` runs a command, `#S` is the session name, `#{…}` a
    // value, `##` one `#`, `#[` a style), and what it reads as the end of a command (a final `;`).
    const names = [
      `x#(touch ${canary})`, 'C#Sharp', 'q#{session_name}', 'a##b', 'h##[y', 's#[fg=red]x', '#,#}', 'e#{?session_attached,a,b}', 'p%Y-%m',
      'a;b', 'ends;', 'ends\\;', 'sp ace', 'ünïcødé 名前 🚀', '$HOME ~root', 't#',
    ];
    // Once the pane runs its program: between tmux's fork and the exec the child is still in
    // the server's folder.
    const where = async (id: string) => {
      const pid = await tmux.panePid(id);
      const running = await eventually(async () => readFileSync(`/proc/${pid}/comm`, 'utf8'), (comm) => comm === 'sleep\n');
      assert.ok(running);
      return {
        tmux: (await tmuxCommand(socket, ['display-message', '-p', '-t', id, '#{pane_current_path}'])).trimEnd(),
        proc: readlinkSync(`/proc/${pid}/cwd`),
      };
    };
    for (const [i, name] of names.entries()) {
      const dir = join(ctx.dir, 'folders', name);
      mkdirSync(dir, { recursive: true });
      const id = await tmux.newWindow({ session: 'cmux', name: `folder-${i}`, cwd: dir, command: ['sleep', '600'] });
      assert.deepEqual(await where(id), { tmux: dir, proc: dir }, name);
    }
    const dir = join(ctx.dir, 'folders', 'C#Sharp');
    const first = await tmux.newSession({ session: 'hostile', name: 'first', cwd: dir, command: ['sleep', '600'] });
    assert.deepEqual(await where(first), { tmux: dir, proc: dir });
    assert.equal((await tmuxCommand(socket, ['display-message', '-p', '-t', first, '#{session_path}'])).trimEnd(), dir, 'the session\'s own folder');
    assert.equal(existsSync(canary), false, 'tmux ran the command in a folder name');
  });

  it('leaves no buffer behind when a paste finds no pane', async () => {
    await rejectsWith(tmux.pasteText('@9999', 'never pasted\nsecond line'), 'CMUX_ERR_TMUX_TARGET_NOT_FOUND');
    assert.equal(await tmuxCommand(socket, ['list-buffers']), '');
  });

  it('pastes multi-line text byte-exact through a buffer of its own and leaves no buffer behind', async () => {
    const file = join(ctx.dir, 'pasted.txt');
    const id = await tmux.newWindow({ session: 'cmux', name: 'paster', command: ['sh', '-c', `cat > ${file}`] });
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}: "q" '$VAR' \`b\` \ttab ✓`);
    const text = `${lines.join('\n')}\n`;
    await Promise.all([tmux.pasteText(id, text.slice(0, text.length / 2)), tmuxCommand(socket, ['list-buffers'])]);
    await tmux.pasteText(id, text.slice(text.length / 2));
    await eventually(async () => (existsSync(file) ? readFileSync(file, 'utf8') : ''), (t) => t.length >= text.length);
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.equal(await tmuxCommand(socket, ['list-buffers']), '');
  });

  it('captures the pane with scrollback', async () => {
    const id = await tmux.newWindow({ session: 'cmux', name: 'printer', command: ['sh', '-c', 'seq 1 300; exec cat'] });
    const visible = await eventually(() => tmux.capturePane(id), (t) => t.includes('300'));
    assert.doesNotMatch(visible, /^1$/m, 'line 1 scrolled off the visible screen');
    const history = await tmux.capturePane(id, { historyLines: 1000 });
    assert.match(history, /^1$/m);
    assert.match(history, /^300$/m);
  });

  it('captures the scrollback with the history size of the same moment, in one call', async () => {
    const id = await tmux.newWindow({ session: 'cmux', name: 'sized', command: ['sh', '-c', 'seq 1 500; exec cat'] });
    await eventually(() => tmux.capturePane(id), (t) => t.includes('500'));
    const { historySize, text } = await tmux.captureWithHistorySize(id, 100);
    assert.equal(historySize, await tmux.historySize(id));
    assert.ok(historySize > 100, `history of ${historySize} lines`);
    assert.equal(text, await tmux.capturePane(id, { historyLines: 100 }));
    assert.doesNotMatch(text, /^1$/m);
    assert.match(text, /^500$/m);
  });

  it('marks a pane whose program exited as dead (remain-on-exit)', async () => {
    const id = await tmux.newWindow({ session: 'cmux', name: 'short-lived', command: ['true'] });
    const row = await eventually(async () => (await tmux.listWindows()).find((w) => w.windowId === id), (w) => w?.paneDead === true);
    assert.equal(row?.paneDead, true);
  });

  it('raises typed errors: missing target, bad names, timeouts', async () => {
    await rejectsWith(tmux.killWindow('@99999'), 'CMUX_ERR_TMUX_TARGET_NOT_FOUND');
    await rejectsWith(tmux.capturePane('@99999'), 'CMUX_ERR_TMUX_TARGET_NOT_FOUND');
    for (const name of ['a:b', '-t', '', 'x'.repeat(49), 'a.b', '%1', '@2', 'a b', '../x', 'a;b']) {
      await rejectsWith(tmux.newWindow({ session: 'cmux', name }), 'CMUX_ERR_TMUX_BAD_NAME');
    }
    await rejectsWith(tmux.newWindow({ session: 'cmux', name: 'ok', env: { 'BAD-NAME': 'x' } }), 'CMUX_ERR_TMUX_BAD_NAME');
    // A hung server (stopped here) costs a caller its timeout, never forever.
    const serverPid = Number((await tmuxCommand(socket, ['display-message', '-p', '#{pid}'])).trim());
    const impatient = createTmuxClient({ socket, configFile: join(ROOT, 'config', 'tmux.conf'), timeoutMs: 300 });
    process.kill(serverPid, 'SIGSTOP');
    try {
      const timeout = await rejectsWith(impatient.listWindows(), 'CMUX_ERR_TMUX_TIMEOUT');
      assert.match(timeout.message, /list-windows -a/);
    } finally {
      process.kill(serverPid, 'SIGCONT');
    }
  });

  it('kills a window, then the server', async () => {
    const id = await tmux.newWindow({ session: 'cmux', name: 'doomed', command: ['cat'] });
    await tmux.killWindow(id);
    assert.equal((await tmux.listWindows()).some((w) => w.windowId === id), false);
    assert.equal(await tmux.killServer(), true);
    assert.equal(await tmux.hasServer(), false);
  });

  it('says how to install tmux when it is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = ctx.dir;
    try {
      const error = await rejectsWith(tmux.version(), 'CMUX_ERR_TMUX_MISSING');
      assert.match(error.message, /apt-get install tmux/);
    } finally {
      process.env.PATH = path;
    }
  });
});
