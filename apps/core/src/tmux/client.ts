import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { CmuxError } from '../errors/index.js';
import type { TmuxSocket } from '../config/index.js';
import type { ControlConnection, TmuxEvent } from './control.js';
import { createControlLink } from './control-link.js';
import { tmuxError } from './errors.js';
import { createPaneWatch, type PaneWatch } from './pane-watch.js';
import { shownBufferText } from './shown-buffer.js';
import { AGENT_TAG_OPTION, parseWindowList, WINDOW_LIST_FORMAT, type TmuxWindow } from './window-list.js';

const DEFAULT_TIMEOUT_MS = 5_000;
// cmux's own formats: with the window list's, the only text tmux is given to expand.
const WINDOW_ID_FORMAT = '#{window_id}';
const SESSION_NAME_FORMAT = '#{session_name}';
const HISTORY_SIZE_FORMAT = '#{history_size}';
const CURSOR_X_FORMAT = '#{cursor_x}';
const PANE_PID_FORMAT = '#{pane_pid}';
const PANE_SESSION_FORMAT = '#{pane_id} #{session_name}';
// The window option that changes at every interrupt cmux presses into the window: the server
// and the CLI both interrupt, and the status monitor reads it (see markInterrupted).
const INTERRUPT_MARK_OPTION = '@cmux-interrupted';
// When cmux's last interrupt saw the turn stop (ms): the end of a turn that the program reports
// no event for (see markTurnStopped).
const TURN_STOPPED_OPTION = '@cmux-turn-stopped';
const INTERRUPT_MARKS_FORMAT = '#{window_id}\t#{@cmux-interrupted}\t#{@cmux-turn-stopped}';
// tmux names that cmux creates: no separators tmux would read as a target (`:` `.`), no
// leading `-` that would read as a flag.
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;
// Up to this size a paste goes down the control connection as a set-buffer argument; tmux's
// parser reads such a line byte by byte (about 0.3 ms a KB on a 2-core machine, the server busy
// meanwhile), so a larger paste is loaded from the stdin of a tmux of its own (20 ms for 100 KB).
const CONTROL_PASTE_MAX_BYTES = 32 * 1024;

export interface TmuxClientOptions {
  socket: TmuxSocket;
  // cmux's own tmux.conf, read when this client starts the server.
  configFile: string;
  timeoutMs?: number;
  // Keep one control-mode connection (`tmux -C`, attached to this session) for the commands,
  // and hear the session's pane output through it. Without it every call spawns tmux, as a
  // short-lived process (the CLI) wants: connecting costs more than the few calls it makes.
  controlSession?: string;
}

export interface NewWindowOptions {
  session: string;
  name: string;
  // argv of the program the window runs. One element is run by tmux through `sh -c`; more are
  // run directly. Omitted: the default shell.
  command?: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string>>;
}

export interface CaptureOptions {
  // How many lines of history above the visible screen to include.
  historyLines?: number;
  // Or where to start: 0 is the top of the visible screen, negative lines are history.
  startLine?: number;
  // Keep the colours and attributes as escape sequences (for a terminal view).
  escapes?: boolean;
  // Instead of the client's default bound.
  timeoutMs?: number;
}

export type TmuxClient = ReturnType<typeof createTmuxClient>;

// A window's interrupt marks (see markInterrupted, markTurnStopped).
export interface InterruptMark {
  mark: string;
  turnStoppedAt: number | null;
}
export type { TmuxEvent } from './control.js';
export type { PaneActivity, PaneWatch } from './pane-watch.js';

// The only code in cmux that runs tmux: argument arrays, a bounded time for every call,
// the cmux socket and config on every call, and failures as typed CmuxErrors. Callers get
// named operations only, never a raw command line. With `controlSession`, the commands go down
// one control-mode connection while it is up, and a spawned tmux runs them while it is not.
export function createTmuxClient(options: TmuxClientOptions) {
  const socketArgs = options.socket.kind === 'name' ? ['-L', options.socket.name] : ['-S', options.socket.path];
  const baseArgs = [...socketArgs, '-f', options.configFile];
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const link = options.controlSession === undefined ? null : createControlLink({ baseArgs, session: options.controlSession, env: tmuxEnv, timeoutMs: defaultTimeout });
  let bufferCounter = 0;

  // Down the control connection when it is up; otherwise by a tmux spawned for it.
  async function run(args: readonly string[], opts: { timeoutMs?: number } = {}): Promise<string> {
    const connection = link?.current();
    if (connection) return request(connection, [args], opts.timeoutMs ?? defaultTimeout);
    return spawnSequence([args], opts);
  }

  // Runs several tmux commands as one sequence (`a ; b`) by a tmux spawned for them: tmux runs
  // them in turn and stops at the first that fails.
  async function spawnSequence(commands: ReadonlyArray<readonly string[]>, opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const argv = [...baseArgs, ...sequenceArgs(commands, literalArgument)];
    const subprocess = execa('tmux', argv, {
      input: opts.input,
      timeout: opts.timeoutMs ?? defaultTimeout,
      forceKillAfterDelay: 1_000,
      reject: false,
      env: tmuxEnv(),
      extendEnv: false,
      stripFinalNewline: false,
    });
    // A tmux client hands its stdout and stderr to the server: a hung server keeps them open
    // after the timed-out client is killed, and the call would wait for it forever.
    subprocess.once('exit', () => {
      if (!subprocess.killed) return;
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
    });
    const result = await subprocess;
    if (!result.failed) return result.stdout;
    throw tmuxError({
      argv: ['tmux', ...argv],
      exitCode: result.exitCode,
      stderr: String(result.stderr ?? ''),
      durationMs: Math.round(result.durationMs),
      timedOut: result.timedOut,
      missingBinary: (result as { code?: string }).code === 'ENOENT',
      cause: result.cause,
    });
  }

  // tmux before 3.6 never frees the text of a `capture-pane -p` it answers a control client
  // with (measured on 3.3a: 85 KB kept per capture of 2 000 lines; a spawned client's is freed):
  // sustained typing grew the server by 170 MB in 100 s. Down the control connection a capture
  // goes into a buffer of its own instead, shown and deleted in the same sequence. `before`:
  // commands of the same moment whose output (digits) comes first.
  async function capture(args: readonly string[], before: ReadonlyArray<readonly string[]> = [], opts: { timeoutMs?: number } = {}): Promise<string> {
    const connection = link?.current();
    const timeoutMs = opts.timeoutMs ?? defaultTimeout;
    const printed = [...before, ['capture-pane', '-p', ...args]];
    if (!connection) return spawnSequence(printed, opts);
    // A server whose buffers cannot be read back exactly prints its captures, as before.
    const reading = connection.shownBuffers;
    if (!reading) return request(connection, printed, timeoutMs);
    const buffer = ownBuffer();
    const shown = await request(connection, [...before, ['capture-pane', '-b', buffer, ...args], ['show-buffer', '-b', buffer], ['delete-buffer', '-b', buffer]], timeoutMs);
    return shownBufferText(shown, reading);
  }

  function request(connection: ControlConnection, commands: ReadonlyArray<readonly string[]>, timeoutMs: number): Promise<string> {
    return connection.request(commands, timeoutMs, [...baseArgs, ...sequenceArgs(commands)]);
  }

  // A buffer name no other call, app or cmux uses at the same time.
  function ownBuffer(): string {
    bufferCounter += 1;
    return `cmux-${process.pid}-${bufferCounter}-${randomBytes(4).toString('hex')}`;
  }

  function windowArgs(opts: Omit<NewWindowOptions, 'session'>): string[] {
    assertSafeName(opts.name, 'window');
    // The folder always goes with the command: without one, a spawned tmux starts the window
    // in its own folder and a control client in the session's.
    const args = ['-n', formatLiteral(opts.name), '-P', '-F', WINDOW_ID_FORMAT, '-c', formatLiteral(opts.cwd || process.cwd())];
    for (const [key, value] of Object.entries(opts.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new CmuxError('CMUX_ERR_TMUX_BAD_NAME', `invalid environment variable name: ${JSON.stringify(key)}`);
      }
      args.push('-e', `${key}=${value}`);
    }
    if (opts.command?.length) args.push('--', ...opts.command);
    return args;
  }

  return {
    // tmux's version string, e.g. "tmux 3.3a". Needs no server.
    async version(): Promise<string> {
      return (await spawnSequence([['-V']])).trim();
    },

    // Whether a server answers on the cmux socket.
    async hasServer(): Promise<boolean> {
      try {
        await run(['list-sessions', '-F', SESSION_NAME_FORMAT]);
        return true;
      } catch (error) {
        if (error instanceof CmuxError && error.code === 'CMUX_ERR_TMUX_NO_SERVER') return false;
        throw error;
      }
    },

    async hasSession(session: string): Promise<boolean> {
      assertSafeName(session, 'session');
      try {
        await run(['has-session', '-t', `=${session}`]);
        return true;
      } catch (error) {
        if (noSession(error) || (error instanceof CmuxError && error.code === 'CMUX_ERR_TMUX_TARGET_NOT_FOUND')) return false;
        throw error;
      }
    },

    // Creates a detached session whose first window is `name`; starts the server if needed.
    // Returns the first window's id (@N).
    async newSession(opts: NewWindowOptions & { width?: number; height?: number }): Promise<string> {
      assertSafeName(opts.session, 'session');
      const size = ['-x', String(opts.width ?? 200), '-y', String(opts.height ?? 50)];
      const id = (await run(['new-session', '-d', '-s', formatLiteral(opts.session), ...size, ...windowArgs(opts)])).trim();
      link?.connectSoon();
      return id;
    },

    // Creates a detached window at the end of the session. Returns its id (@N).
    async newWindow(opts: NewWindowOptions): Promise<string> {
      assertSafeName(opts.session, 'session');
      return (await run(['new-window', '-d', '-t', `=${opts.session}:`, ...windowArgs(opts)])).trim();
    },

    // Every window of every session, in one call.
    async listWindows(): Promise<TmuxWindow[]> {
      try {
        return parseWindowList(await run(['list-windows', '-a', '-F', WINDOW_LIST_FORMAT]));
      } catch (error) {
        if (noSession(error)) return [];
        throw error;
      }
    },

    // Types text exactly as given: no key names are interpreted.
    async sendText(target: string, text: string): Promise<void> {
      await run(['send-keys', '-t', target, '-l', '--', text]);
    },

    // Presses named keys (Enter, Escape, C-c, …).
    async sendKeys(target: string, ...keys: string[]): Promise<void> {
      await run(['send-keys', '-t', target, ...keys]);
    },

    // Pastes text through a buffer of its own (so concurrent pastes never mix), with
    // bracketed-paste framing when the program asked for it; the buffer is always deleted.
    async pasteText(target: string, text: string, opts: { timeoutMs?: number } = {}): Promise<void> {
      const buffer = ownBuffer();
      const timeoutMs = opts.timeoutMs ?? defaultTimeout + Math.ceil(text.length / 100_000) * 1_000;
      const paste = ['paste-buffer', '-p', '-d', '-b', buffer, '-t', target];
      const connection = Buffer.byteLength(text) <= CONTROL_PASTE_MAX_BYTES && !text.includes('\0') ? link?.current() : null;
      try {
        if (connection) await connection.request([['set-buffer', '-b', buffer, text], paste], timeoutMs, [...baseArgs, ...sequenceArgs([['set-buffer', '-b', buffer, `(${Buffer.byteLength(text)} bytes)`], paste])]);
        else await spawnSequence([['load-buffer', '-b', buffer, '-'], paste], { input: text, timeoutMs });
      } catch (error) {
        // The paste deletes its buffer; one loaded but never pasted must not stay behind.
        await run(['delete-buffer', '-b', buffer]).catch(() => undefined);
        throw error;
      }
    },

    // The pane's text: the visible screen plus `historyLines` of scrollback.
    async capturePane(target: string, opts: CaptureOptions = {}): Promise<string> {
      const first = opts.startLine ?? (opts.historyLines ? -Math.abs(opts.historyLines) : undefined);
      const start = first === undefined ? [] : ['-S', String(first)];
      return capture(['-J', ...(opts.escapes ? ['-e'] : []), '-t', target, ...start], [], opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
    },

    // The last `historyLines` lines of scrollback and the screen, with how many lines had
    // scrolled into the pane's history: one call, so both describe the same moment.
    async captureWithHistorySize(target: string, historyLines: number): Promise<{ historySize: number; text: string }> {
      const out = await capture(['-J', '-t', target, '-S', String(-Math.abs(historyLines))], [['display-message', '-p', '-t', target, HISTORY_SIZE_FORMAT]]);
      const newline = out.indexOf('\n');
      return { historySize: Number(out.slice(0, newline)), text: out.slice(newline + 1) };
    },

    // The cursor's column in the pane: 0 when a line-based program has nothing typed pending.
    async cursorColumn(target: string): Promise<number> {
      return Number((await run(['display-message', '-p', '-t', target, CURSOR_X_FORMAT])).trim());
    },

    // Marks a window with its cmux identity (the @cmux-agent window option), which every lookup
    // checks: a window id alone may belong to another window after a server restart.
    async tagWindow(target: string, tag: string): Promise<void> {
      await run(['set-option', '-w', '-t', target, AGENT_TAG_OPTION, tag]);
    },

    // Records that an interrupt is pressed into the window: `mark` must differ from the last one.
    async markInterrupted(target: string, mark: string): Promise<void> {
      await run(['set-option', '-w', '-t', target, INTERRUPT_MARK_OPTION, mark]);
    },

    // Records that cmux's interrupt saw the window's turn stop at `at` (ms).
    async markTurnStopped(target: string, at: number): Promise<void> {
      await run(['set-option', '-w', '-t', target, TURN_STOPPED_OPTION, String(at)]);
    },

    // Every window's last interrupt mark ('' for none) and when an interrupt last saw its turn
    // stop (null for never), by window id, in one call.
    async interruptMarks(): Promise<Map<string, InterruptMark>> {
      let out: string;
      try {
        out = await run(['list-windows', '-a', '-F', INTERRUPT_MARKS_FORMAT]);
      } catch (error) {
        if (noSession(error)) return new Map();
        throw error;
      }
      return new Map(
        out
          .split('\n')
          .filter(Boolean)
          .map((line) => {
            const [windowId = '', mark = '', stopped = ''] = line.split('\t', 3);
            return [windowId, { mark, turnStoppedAt: /^\d+$/.test(stopped) ? Number(stopped) : null }];
          }),
      );
    },

    // The process id of the program the pane runs (its root process).
    async panePid(target: string): Promise<number> {
      return Number((await run(['display-message', '-p', '-t', target, PANE_PID_FORMAT])).trim());
    },

    // How many lines have scrolled off the top of the pane into its history.
    async historySize(target: string): Promise<number> {
      return Number((await run(['display-message', '-p', '-t', target, HISTORY_SIZE_FORMAT])).trim());
    },

    async killWindow(target: string): Promise<void> {
      await run(['kill-window', '-t', target]);
    },

    // Stops the cmux tmux server. Returns false when none was running. The control connection
    // is ended first, so no command goes down it to a server that is going.
    async killServer(): Promise<boolean> {
      await link?.drop();
      try {
        await spawnSequence([['kill-server']]);
        return true;
      } catch (error) {
        if (error instanceof CmuxError && error.code === 'CMUX_ERR_TMUX_NO_SERVER') return false;
        throw error;
      }
    },

    // Hands the terminal to `tmux attach` until the person detaches.
    async attach(target: string): Promise<number> {
      const result = await execa('tmux', [...baseArgs, 'attach-session', '-t', target], {
        stdio: 'inherit',
        reject: false,
        env: tmuxEnv(),
        extendEnv: false,
      });
      return result.exitCode ?? 1;
    },

    // Hears what the control connection reports (pane output, pane state, windows, the stream
    // going up or down); a client without one reports nothing. Returns the way to stop.
    onEvent(listener: (event: TmuxEvent) => void): () => void {
      return link ? link.onEvent(listener) : () => undefined;
    },

    // The session whose panes' output is heard now; null while there is no stream.
    get streamedSession(): string | null {
      return link?.live ? link.session : null;
    },

    // Watches one pane's output, to wake a wait when it prints; without a stream for the pane,
    // the watch answers `unknown` and the caller looks at the screen.
    async watchPane(target: string): Promise<PaneWatch> {
      const locate = async () => {
        const [pane, ...session] = (await run(['display-message', '-p', '-t', target, PANE_SESSION_FORMAT])).trim().split(' ');
        return pane ? { pane, session: session.join(' ') } : null;
      };
      return createPaneWatch(link, locate);
    },

    // Ends the control connection (a client without one has nothing to end); later calls spawn tmux.
    async close(): Promise<void> {
      await link?.close();
    },
  };
}

// The commands as one argument list, `;` between them.
function sequenceArgs(commands: ReadonlyArray<readonly string[]>, each: (arg: string) => string = (arg) => arg): string[] {
  return commands.flatMap((args, i) => [...(i === 0 ? [] : [';']), ...args.map(each)]);
}

// tmux reads an argument that ends in `;` as the end of a command and drops the `;` (and a
// final `\;` as a plain `;`): typed text ("run the tests;"), an environment value or an
// agent's command line would lose its last character. A final `;` goes as `\;`, which tmux
// turns back into the `;` given; every other argument goes as it is.
function literalArgument(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

// A command that failed because there is no session: no server, or a server that has none
// (tmux answers "no current target" even to `list-windows -a` and `has-session -t =name`),
// started a moment ago by a concurrent `new-session`, kept up by a control-mode client, or
// whose last session just closed.
function noSession(error: unknown): boolean {
  return error instanceof CmuxError && (error.code === 'CMUX_ERR_TMUX_NO_SERVER' || /^stderr: no current target$/m.test(error.message));
}

// tmux expands formats (FORMATS in tmux(1)) in some arguments of the commands cmux runs: in
// 3.3a new-session's -s, -n and -c, new-window's -n and -c, every -F, display-message's message,
// set-option's option name and load-buffer's path (the last four get cmux's constants only).
// There `#(cmd)` runs a command and `#S`, `#{…}` become values: a folder `x#(touch y)` ran
// `touch y`, and `C#Sharp` named a folder that does not exist, so the agent started in the
// tmux server's own. Text that must reach tmux as it is goes through here: tmux turns `##` into
// `#`, so every run of `#` is doubled — except a run just before `[`, which tmux keeps as it is
// (the start of a style, `#[…]`, left for drawing). From tmux 3.3a's format_expand1; the real
// server is checked by test/unit/tmux-client.test.ts, and test/unit/boundaries.test.ts keeps
// every such argument going through here.
export function formatLiteral(text: string): string {
  return text.replace(/#+(?![#[])/g, (run) => run + run);
}

// Throws CMUX_ERR_TMUX_BAD_NAME unless `name` is safe to give tmux as a session or window name.
export function assertSafeName(name: string, what: string): void {
  if (!SAFE_NAME.test(name)) {
    throw new CmuxError(
      'CMUX_ERR_TMUX_BAD_NAME',
      `invalid ${what} name ${JSON.stringify(name)}: use 1-48 letters, digits, _ or -, starting with a letter or digit`,
      { context: { name } },
    );
  }
}

// The caller's environment without the variables that would make tmux think it is nested,
// without the API token, and — in a PM2 app, which may start the tmux server — without the
// NODE_ENV cmux runs its own apps with: the tmux server passes its environment to every
// window, and no agent should hold (or print) the token or install packages as production.
// CI markers go too: every window is an interactive terminal, and an agent that sees `CI=true`
// may refuse to be one (Gemini CLI 0.61.0 runs headless and exits, seen when cmux ran in CI).
function tmuxEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TMUX;
  delete env.TMUX_PANE;
  delete env.CMUX_TOKEN;
  delete env.CI;
  delete env.GITHUB_ACTIONS;
  if (env.pm_id !== undefined) delete env.NODE_ENV;
  return env;
}
