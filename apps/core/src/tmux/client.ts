import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { CmuxError } from '../errors/index.js';
import type { TmuxSocket } from '../config/index.js';
import { tmuxError } from './errors.js';
import { AGENT_TAG_OPTION, parseWindowList, WINDOW_LIST_FORMAT, type TmuxWindow } from './window-list.js';

const DEFAULT_TIMEOUT_MS = 5_000;
// cmux's own formats: with the window list's, the only text tmux is given to expand.
const WINDOW_ID_FORMAT = '#{window_id}';
const SESSION_NAME_FORMAT = '#{session_name}';
const HISTORY_SIZE_FORMAT = '#{history_size}';
const CURSOR_X_FORMAT = '#{cursor_x}';
const PANE_PID_FORMAT = '#{pane_pid}';
// The window option that changes at every interrupt cmux presses into the window: the server
// and the CLI both interrupt, and the status monitor reads it (see markInterrupted).
const INTERRUPT_MARK_OPTION = '@cmux-interrupted';
const INTERRUPT_MARKS_FORMAT = '#{window_id}\t#{@cmux-interrupted}';
// tmux names that cmux creates: no separators tmux would read as a target (`:` `.`), no
// leading `-` that would read as a flag.
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

export interface TmuxClientOptions {
  socket: TmuxSocket;
  // cmux's own tmux.conf, read when this client starts the server.
  configFile: string;
  timeoutMs?: number;
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

// The only code in cmux that runs tmux: argument arrays, a bounded time for every call,
// the cmux socket and config on every call, and failures as typed CmuxErrors. Callers get
// named operations only, never a raw command line.
export function createTmuxClient(options: TmuxClientOptions) {
  const socketArgs = options.socket.kind === 'name' ? ['-L', options.socket.name] : ['-S', options.socket.path];
  const baseArgs = [...socketArgs, '-f', options.configFile];
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let bufferCounter = 0;

  async function run(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    return runSequence([args], opts);
  }

  // Runs several tmux commands in one client (`a ; b`): tmux runs them in turn and stops at the
  // first that fails, and one process is spawned instead of one per command.
  async function runSequence(commands: ReadonlyArray<readonly string[]>, opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const argv = [...baseArgs, ...commands.flatMap((args, i) => [...(i === 0 ? [] : [';']), ...args.map(literalArgument)])];
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

  function windowArgs(opts: Omit<NewWindowOptions, 'session'>): string[] {
    assertSafeName(opts.name, 'window');
    const args = ['-n', formatLiteral(opts.name), '-P', '-F', WINDOW_ID_FORMAT];
    if (opts.cwd) args.push('-c', formatLiteral(opts.cwd));
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
      return (await run(['-V'])).trim();
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
        if (error instanceof CmuxError && ['CMUX_ERR_TMUX_NO_SERVER', 'CMUX_ERR_TMUX_TARGET_NOT_FOUND'].includes(error.code)) {
          return false;
        }
        throw error;
      }
    },

    // Creates a detached session whose first window is `name`; starts the server if needed.
    // Returns the first window's id (@N).
    async newSession(opts: NewWindowOptions & { width?: number; height?: number }): Promise<string> {
      assertSafeName(opts.session, 'session');
      const size = ['-x', String(opts.width ?? 200), '-y', String(opts.height ?? 50)];
      return (await run(['new-session', '-d', '-s', formatLiteral(opts.session), ...size, ...windowArgs(opts)])).trim();
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
        if (noWindows(error)) return [];
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
      bufferCounter += 1;
      const buffer = `cmux-${process.pid}-${bufferCounter}-${randomBytes(4).toString('hex')}`;
      const timeoutMs = opts.timeoutMs ?? defaultTimeout + Math.ceil(text.length / 100_000) * 1_000;
      try {
        await runSequence([['load-buffer', '-b', buffer, '-'], ['paste-buffer', '-p', '-d', '-b', buffer, '-t', target]], { input: text, timeoutMs });
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
      return run(['capture-pane', '-p', '-J', ...(opts.escapes ? ['-e'] : []), '-t', target, ...start], opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
    },

    // The last `historyLines` lines of scrollback and the screen, with how many lines had
    // scrolled into the pane's history: one call, so both describe the same moment.
    async captureWithHistorySize(target: string, historyLines: number): Promise<{ historySize: number; text: string }> {
      const out = await runSequence([
        ['display-message', '-p', '-t', target, HISTORY_SIZE_FORMAT],
        ['capture-pane', '-p', '-J', '-t', target, '-S', String(-Math.abs(historyLines))],
      ]);
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

    // Every window's last interrupt mark, by window id ('' for none), in one call.
    async interruptMarks(): Promise<Map<string, string>> {
      let out: string;
      try {
        out = await run(['list-windows', '-a', '-F', INTERRUPT_MARKS_FORMAT]);
      } catch (error) {
        if (noWindows(error)) return new Map();
        throw error;
      }
      return new Map(out.split('\n').filter(Boolean).map((line) => line.split('\t', 2) as [string, string]));
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

    // Stops the cmux tmux server. Returns false when none was running.
    async killServer(): Promise<boolean> {
      try {
        await run(['kill-server']);
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
  };
}

// tmux reads an argument that ends in `;` as the end of a command and drops the `;` (and a
// final `\;` as a plain `;`): typed text ("run the tests;"), an environment value or an
// agent's command line would lose its last character. A final `;` goes as `\;`, which tmux
// turns back into the `;` given; every other argument goes as it is.
function literalArgument(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

// A `list-windows -a` that failed because there are no windows: no server, or (`-a` still looks
// for a current session) a server that has none, started a moment ago by a concurrent
// `new-session` or whose last session just closed.
function noWindows(error: unknown): boolean {
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
