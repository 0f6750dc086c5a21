import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isCmuxError, type TmuxClient, type TmuxEvent } from '../../apps/core/src/index.ts';
import { openControlConnection } from '../../apps/core/src/tmux/control.ts';
import { SHOW_PROBE, shownBufferReading, shownBufferText, unescapeShownBuffer } from '../../apps/core/src/tmux/shown-buffer.ts';
import { ROOT } from '../helpers/instance.ts';
import { controlClients, eventually, privateTmux, rejectsWith, tmuxCommand } from '../helpers/tmux.ts';

const serverPid = async (socket: string) => Number((await tmuxCommand({ kind: 'path', path: socket }, ['display-message', '-p', '#{pid}'])).trim());
const fileText = (file: string) => (existsSync(file) ? readFileSync(file, 'latin1') : '');
// A call now and then starts the next attempt to connect, as the apps' calls do.
const streaming = (tmux: TmuxClient) =>
  eventually(
    async () => {
      await tmux.listWindows().catch(() => []);
      return tmux.streamedSession;
    },
    (session) => session === 'cmux',
    10_000,
  );

// Every character a caller's text can hold but NUL (which no argument can hold): C0 controls,
// the parser's own syntax, Latin-1, and characters of two, three and four bytes.
const EVERY_CHAR = [...Array.from({ length: 255 }, (_, i) => String.fromCharCode(i + 1)), 'ā', '名', '🚀', '\u2028', '\uFEFF'].join('');

describe('tmux client over a control-mode connection', { timeout: 120_000 }, () => {
  let ctx: ReturnType<typeof privateTmux>;
  let tmux: TmuxClient;
  const events: TmuxEvent[] = [];
  before(async () => {
    ctx = privateTmux({ controlSession: 'cmux' });
    tmux = ctx.tmux;
    tmux.onEvent((event) => events.push(event));
  });
  after(async () => {
    await ctx.cleanup();
    assert.deepEqual(controlClients(ctx.socket), [], 'no control client is left');
  });

  it('spawns tmux until the server and session exist, then connects once and stays connected', async () => {
    assert.equal(await tmux.hasServer(), false);
    assert.deepEqual(await tmux.listWindows(), []);
    assert.equal(tmux.streamedSession, null);
    await tmux.newSession({ session: 'cmux', name: 'first', command: ['cat'], width: 200, height: 50 });
    await streaming(tmux);
    for (let i = 0; i < 20; i++) await tmux.listWindows();
    assert.equal(controlClients(ctx.socket).length, 1);
    assert.ok(events.some((e) => e.type === 'stream' && e.live));
  });

  it('changes no window\'s size: it is ignored for sizing and sets none', async () => {
    const socket = { kind: 'path' as const, path: ctx.socket };
    const flags = await tmuxCommand(socket, ['list-clients', '-F', '#{client_control_mode} #{client_flags}']);
    assert.match(flags, /^1 .*ignore-size/m);
    assert.match(flags, /pause-after=1/);
    const made = await tmux.newWindow({ session: 'cmux', name: 'sized', command: ['cat'] });
    const spawned = (await tmuxCommand(socket, ['new-window', '-d', '-t', '=cmux:', '-P', '-F', '#{window_id}', 'cat'])).trim();
    for (const size of ['latest', 'smallest', 'largest']) {
      await tmuxCommand(socket, ['set-option', '-g', 'window-size', size]);
      await tmux.capturePane(made);
      const sizes = await tmuxCommand(socket, ['list-windows', '-t', '=cmux', '-F', '#{window_id} #{window_width}x#{window_height}']);
      for (const id of [made, spawned]) assert.match(sizes, new RegExp(`^${id} 200x50$`, 'm'), `${size}: ${sizes}`);
    }
    await tmuxCommand(socket, ['set-option', '-g', 'window-size', 'latest']);
    await tmux.killWindow(spawned);
  });

  it('gives every caller its own answer when many commands are in flight at once', async () => {
    const windows = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const id = await tmux.newWindow({ session: 'cmux', name: `order-${i}`, command: ['sh', '-c', `printf 'marker-${i}\\n'; exec cat`] });
        await eventually(() => tmux.capturePane(id), (text) => text.includes(`marker-${i}`));
        return { id, pid: await tmux.panePid(id), marker: `marker-${i}` };
      }),
    );
    const calls = Array.from({ length: 300 }, (_, n) => {
      const w = windows[n % windows.length]!;
      switch (n % 4) {
        case 0:
          return tmux.capturePane(w.id).then((text) => assert.deepEqual(windows.filter((o) => text.includes(o.marker)), [w], text));
        case 1:
          return tmux.panePid(w.id).then((pid) => assert.equal(pid, w.pid));
        case 2:
          return tmux.captureWithHistorySize(w.id, 10).then(({ text }) => assert.match(text, new RegExp(`^${w.marker}$`, 'm')));
        default:
          return rejectsWith(tmux.capturePane(`@${90_000 + n}`), 'CMUX_ERR_TMUX_TARGET_NOT_FOUND');
      }
    });
    await Promise.all(calls);
    await rejectsWith(tmux.captureWithHistorySize('@99999', 10), 'CMUX_ERR_TMUX_TARGET_NOT_FOUND');
    assert.equal(await tmux.panePid(windows[0]!.id), windows[0]!.pid, 'the failed sequence left nothing behind');
  });

  it('reads a buffer as tmux shows it to a control client, every byte back as it was', async () => {
    const socket = { kind: 'path' as const, path: ctx.socket };
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\n\nā名🚀 \\0 \\\\ \\012 $VAR ${x} $_ $(x) $1 $ \\$VAR "q" `t` end\n\n')]);
    const file = join(ctx.dir, 'every-byte.bin');
    writeFileSync(file, bytes);
    await tmuxCommand(socket, ['load-buffer', '-b', 'every-byte', file]);
    const connection = await openControlConnection({ baseArgs: ['-S', ctx.socket], session: 'cmux', env: process.env, timeoutMs: 5_000, onEvent: () => undefined, onClose: () => undefined });
    try {
      const shown = await connection.request([['show-buffer', '-b', 'every-byte']], 5_000, ['show-buffer']);
      assert.match(shown, /\\033/, 'tmux escaped it');
      assert.deepEqual(unescapeShownBuffer(shown), bytes);
      // The probe the client asks each server with, answered by this one (3.3a escapes it).
      await tmuxCommand(socket, ['set-buffer', '-b', 'probe', SHOW_PROBE]);
      const probe = await connection.request([['show-buffer', '-b', 'probe']], 5_000, ['show-buffer']);
      assert.equal(shownBufferReading(probe), 'escaped', `${(await tmuxCommand(socket, ['-V'])).trim()} escapes a shown buffer (3.3 does)`);
      // In a C locale too: the connection's client says it takes UTF-8.
      const inC = await openControlConnection({ baseArgs: ['-S', ctx.socket], session: 'cmux', env: { ...process.env, LANG: 'C', LC_ALL: 'C' }, timeoutMs: 5_000, onEvent: () => undefined, onClose: () => undefined });
      try {
        assert.equal(shownBufferReading(await inC.request([['show-buffer', '-b', 'probe']], 5_000, ['show-buffer'])), 'escaped');
      } finally {
        await inC.close();
      }
      // tmux 3.4 on sends a buffer as it is (server_client_print with parse set), and in a C
      // locale without -u replaces each non-ASCII character with `_`: then nothing is read back.
      assert.equal(shownBufferReading(`${SHOW_PROBE}\n`), 'raw');
      assert.equal(shownBufferText('a\\tb $VAR\nline\n\n', 'raw'), 'a\\tb $VAR\nline\n');
      assert.equal(shownBufferReading(`${SHOW_PROBE.replace('\u00e9', '_')}\n`), null);
      assert.equal(shownBufferReading('a\\\\b \\$VAR _\n'), null);
    } finally {
      await connection.close();
      await tmuxCommand(socket, ['delete-buffer', '-b', 'every-byte']);
      await tmuxCommand(socket, ['delete-buffer', '-b', 'probe']).catch(() => undefined);
    }
  });

  // tmux 3.3a keeps the text of every `capture-pane -p` it answers a control client with.
  it('captures what a spawned tmux captures, byte for byte, and leaves the server no bigger', async () => {
    const socket = { kind: 'path' as const, path: ctx.socket };
    const script = [
      'for i in $(seq 1 2500); do printf "line %s \\\\ \\\\012 \\033[31mred\\033[0m\\ttab ā名🚀 %%s \\$VAR \\${x} \\$_ \\$(x)\\n" $i; done',
      'printf "last\\n\\n\\n"',
      'exec cat',
    ].join('; ');
    const id = await tmux.newWindow({ session: 'cmux', name: 'history', command: ['sh', '-c', script] });
    await eventually(() => tmux.capturePane(id), (text) => text.includes('last'), 10_000);
    for (const [options, args] of [
      [{}, []],
      [{ escapes: true, historyLines: 2_000 }, ['-e', '-S', '-2000']],
      [{ startLine: -3 }, ['-S', '-3']],
    ] as const) {
      assert.equal(await tmux.capturePane(id, options), await tmuxCommand(socket, ['capture-pane', '-p', '-J', ...args, '-t', id]), JSON.stringify(options));
    }
    const both = await tmux.captureWithHistorySize(id, 2_000);
    assert.equal(both.text, await tmuxCommand(socket, ['capture-pane', '-p', '-J', '-S', '-2000', '-t', id]));
    assert.equal(both.historySize, await tmux.historySize(id));
    assert.ok(/^line 2500 \\ $/m.test(both.text) && /^ red +tab ā名🚀 %s \$VAR \$\{x\} \$_ \$\(x\)$/m.test(both.text), 'the text holds backslashes, a tab and wide characters');

    const rss = async () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${await serverPid(ctx.socket)}/status`, 'utf8'))![1]) * 1024;
    const before = await rss();
    for (let i = 0; i < 300; i++) await tmux.capturePane(id, { historyLines: 2_000 });
    const grown = (await rss()) - before;
    // Kept, these 300 captures grew the server by 11 MB (tmux 3.3a); gone, by 0.1 MB.
    assert.ok(grown < 4 * 2 ** 20, `the server grew by ${Math.round(grown / 2 ** 20)} MB`);
    assert.equal(await tmuxCommand(socket, ['list-buffers']), '', 'no capture buffer is left');
    await tmux.killWindow(id);
  });

  it('takes pane text that looks like tmux\'s own guard lines as text', async () => {
    const lines = ['%end 1 1 1', '%error 1796589816 285 1', '%begin 1 2 1', '%exit', '%output %1 x'];
    const id = await tmux.newWindow({ session: 'cmux', name: 'guards', command: ['sh', '-c', 'printf "%s\\n" "$@"; exec cat', 'sh', ...lines] });
    const text = await eventually(() => tmux.capturePane(id), (t) => t.includes('%output'));
    assert.ok(text.startsWith(`${lines.join('\n')}\n`), text);
    assert.equal(await tmux.panePid(id) > 0, true, 'the connection still answers');
  });

  it('passes every character through: typed text, pasted text, a window\'s environment and command', async () => {
    // A raw terminal: every byte typed or pasted reaches the file as it is.
    const window = async (name: string, file: string) => {
      const id = await tmux.newWindow({ session: 'cmux', name, command: ['sh', '-c', `stty raw -echo; printf ready; exec cat > ${file}`] });
      await eventually(() => tmux.capturePane(id), (text) => text.includes('ready'));
      return id;
    };
    const typed = join(ctx.dir, 'typed.bin');
    const typedId = await window('typed', typed);
    await tmux.sendText(typedId, EVERY_CHAR);
    await eventually(async () => fileText(typed), (t) => t.length >= Buffer.byteLength(EVERY_CHAR));
    assert.equal(fileText(typed), Buffer.from(EVERY_CHAR).toString('latin1'));

    // tmux pastes a line break as Enter (CR), as a spawned tmux does.
    const pasted = join(ctx.dir, 'pasted.bin');
    const pastedId = await window('pasted', pasted);
    const expected = Buffer.from(EVERY_CHAR.replace(/\n/g, '\r')).toString('latin1');
    await tmux.pasteText(pastedId, EVERY_CHAR);
    await eventually(async () => fileText(pasted), (t) => t.length >= expected.length);
    assert.equal(fileText(pasted), expected);
    assert.equal(await tmuxCommand({ kind: 'path', path: ctx.socket }, ['list-buffers']), '');

    const env = join(ctx.dir, 'env.bin');
    const value = EVERY_CHAR;
    await tmux.newWindow({ session: 'cmux', name: 'env', env: { ODD: value }, command: ['sh', '-c', `printf %s "$ODD" > ${env}.tmp; printf %s "$1" >> ${env}.tmp; mv ${env}.tmp ${env}`, 'sh', value] });
    await eventually(async () => fileText(env), (t) => t.length > 0);
    assert.equal(fileText(env), Buffer.from(value + value).toString('latin1'));
  });

  it('pastes a large message byte-exact (loaded by a tmux of its own) and a NUL nowhere', async () => {
    const file = join(ctx.dir, 'large.txt');
    const id = await tmux.newWindow({ session: 'cmux', name: 'large', command: ['sh', '-c', `stty raw -echo; printf ready; exec cat > ${file}`] });
    await eventually(() => tmux.capturePane(id), (text) => text.includes('ready'));
    const small = `${'ü;$"\\~#'.repeat(3_000)}end-small`;
    const big = `${Array.from({ length: 13_000 }, (_, i) => `${i} ${'x'.repeat(70)} ;$"\\`).join(' ')}end-big`;
    await tmux.pasteText(id, small);
    await tmux.pasteText(id, big);
    const expected = Buffer.from(small + big).toString('latin1');
    await eventually(async () => fileText(file), (t) => t.length >= expected.length, 20_000);
    assert.equal(fileText(file), expected);
    await rejectsWith(tmux.sendText(id, 'a\0b'), 'CMUX_ERR_TMUX_FAILED');
    assert.ok(await tmux.panePid(id) > 0);
  });

  it('wakes a pane watch when the pane prints, and says `quiet` when it does not', async () => {
    const id = await tmux.newWindow({ session: 'cmux', name: 'watched', command: ['cat'] });
    const watch = await tmux.watchPane(id);
    try {
      assert.equal(await watch.printed(200), 'quiet');
      const started = performance.now();
      setTimeout(() => void tmux.sendText(id, 'x'), 100);
      assert.equal(await watch.printed(20_000), 'printed');
      assert.ok(performance.now() - started < 15_000);
      await tmux.sendText(id, 'y');
      await eventually(() => tmux.capturePane(id), (text) => text.includes('xy'));
      assert.equal(await watch.printed(0), 'printed', 'output before the call is not lost');
    } finally {
      watch.close();
    }
  });

  it('reports windows added and closed and a pane whose program ended', async () => {
    events.length = 0;
    const id = await tmux.newWindow({ session: 'cmux', name: 'short', command: ['sleep', '1'] });
    await eventually(async () => events.filter((e) => e.type === 'windows-changed').length, (n) => n >= 1);
    const pane = (await tmuxCommand({ kind: 'path', path: ctx.socket }, ['display-message', '-p', '-t', id, '#{pane_id}'])).trim();
    await eventually(async () => events.some((e) => e.type === 'pane-changed' && e.pane === pane), Boolean, 10_000);
    events.length = 0;
    await tmux.killWindow(id);
    await eventually(async () => events.some((e) => e.type === 'windows-changed'), Boolean);
  });

  it('keeps answering while a pane prints as fast as it can', async () => {
    const id = await tmux.newWindow({ session: 'cmux', name: 'chatty', command: ['sh', '-c', 'exec yes "chatty pane output that never ends"'] });
    const before = process.memoryUsage().rss;
    const latencies: number[] = [];
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      const started = performance.now();
      await tmux.listWindows();
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Reading nothing for a while, cmux falls seconds behind: tmux pauses the pane, cmux
    // resumes it at once, and the pane is heard again.
    const pane = (await tmuxCommand({ kind: 'path', path: ctx.socket }, ['display-message', '-p', '-t', id, '#{pane_id}'])).trim();
    let heard = 0;
    const stopHearing = tmux.onEvent((e) => void (e.type === 'output' && e.pane === pane && (heard += 1)));
    const blockedUntil = Date.now() + 2_500;
    while (Date.now() < blockedUntil);
    // What was sent before the pause is read first.
    await new Promise((r) => setTimeout(r, 1_000));
    heard = 0;
    await new Promise((r) => setTimeout(r, 2_000));
    stopHearing();
    assert.ok(heard > 20, `the paused pane was resumed: ${heard} outputs heard in 2 s`);
    await tmux.killWindow(id);
    assert.ok(Math.max(...latencies) < 4_000, `slowest answer ${Math.max(...latencies).toFixed(0)} ms`);
    assert.ok(process.memoryUsage().rss - before < 200 * 2 ** 20, 'the stream is not buffered without bound');
    assert.equal(controlClients(ctx.socket).length, 1);
  });

  it('times out a command that gets no answer, resets the connection, and answers again afterwards', async () => {
    const impatient = privateTmux({ controlSession: 'cmux', timeoutMs: 1_000 });
    try {
      const socket = { kind: 'path' as const, path: impatient.socket };
      // Made by a patient tmux: a busy machine may take longer than the client's second.
      await tmuxCommand(socket, ['-f', join(ROOT, 'config', 'tmux.conf'), 'new-session', '-d', '-s', 'cmux', 'cat']);
      await streaming(impatient.tmux);
      const [client] = controlClients(impatient.socket);
      const pid = await serverPid(impatient.socket);
      process.kill(pid, 'SIGSTOP');
      try {
        const [first, second] = await Promise.allSettled([impatient.tmux.capturePane('@0'), impatient.tmux.listWindows()]);
        assert.equal(first.status, 'rejected');
        assert.ok(isCmuxError(first.reason, 'CMUX_ERR_TMUX_TIMEOUT'), String(first.reason));
        assert.match(first.reason.message, /capture-pane -b \S+ -J -t @0/);
        assert.equal(second.status, 'rejected', 'a command sent after it never gets the late answer');
        assert.equal(impatient.tmux.streamedSession, null);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await eventually(async () => controlClients(impatient.socket).includes(client!), (alive) => !alive);
      await streaming(impatient.tmux);
      assert.equal((await impatient.tmux.listWindows()).length, 1);
      assert.match(await impatient.tmux.capturePane('@0'), /^\n*$/);
      assert.equal((await tmuxCommand(socket, ['list-clients', '-F', '#{client_control_mode}'])).trim(), '1');
    } finally {
      await impatient.cleanup();
    }
  });

  it('fails a command whose server is killed under it; the next call works on the new server and reconnects', async () => {
    await streaming(tmux);
    const pid = await serverPid(ctx.socket);
    process.kill(pid, 'SIGSTOP');
    const pending = tmux.listWindows();
    await new Promise((r) => setTimeout(r, 100));
    process.kill(pid, 'SIGKILL');
    const error = await rejectsWith(pending, 'CMUX_ERR_TMUX_FAILED');
    assert.match(error.message, /control connection closed before tmux answered/);
    await eventually(async () => tmux.streamedSession, (session) => session === null);
    const id = await tmux.newSession({ session: 'cmux', name: 'again', command: ['cat'] });
    assert.deepEqual((await tmux.listWindows()).map((w) => w.windowId), [id]);
    await streaming(tmux);
    assert.notEqual(await serverPid(ctx.socket), pid);
    const watch = await tmux.watchPane(id);
    try {
      await tmux.sendText(id, 'after the restart');
      assert.equal(await watch.printed(20_000), 'printed');
    } finally {
      watch.close();
    }
    assert.equal(controlClients(ctx.socket).length, 1);
  });

  it('closes its connection: no control client is left, and later calls spawn tmux', async () => {
    await tmux.close();
    assert.deepEqual(controlClients(ctx.socket), []);
    assert.equal(tmux.streamedSession, null);
    assert.ok((await tmux.listWindows()).length > 0);
    assert.deepEqual(controlClients(ctx.socket), []);
  });
});
