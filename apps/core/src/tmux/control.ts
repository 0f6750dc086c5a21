import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { CmuxError } from '../errors/index.js';
import { commandLine } from './command-line.js';
import { tmuxError } from './errors.js';
import { SHOW_PROBE, shownBufferReading, type ShownBufferReading } from './shown-buffer.js';

// What a control-mode connection reports besides answers: a pane printed (or was paused, or
// changed mode), a pane's program died or changed (the subscription), the windows or sessions
// changed, or the stream went up or down.
export type TmuxEvent =
  | { type: 'output'; pane: string }
  | { type: 'pane-changed'; pane: string }
  | { type: 'windows-changed' }
  | { type: 'stream'; live: boolean };

export interface ControlOptions {
  // The tmux client's arguments up to the command: socket and config.
  baseArgs: readonly string[];
  session: string;
  env: NodeJS.ProcessEnv;
  // How long the attach may take.
  timeoutMs: number;
  onEvent(event: TmuxEvent): void;
  // Once, when the connection is gone (whoever ended it).
  onClose(): void;
}

export type ControlConnection = Awaited<ReturnType<typeof openControlConnection>>;

interface Request {
  argv: readonly string[];
  // Blocks still to come: one per command, fewer when one fails (tmux skips the rest).
  remaining: number;
  output: Buffer[];
  started: number;
  timer?: NodeJS.Timeout;
  resolve(stdout: string): void;
  reject(error: CmuxError): void;
}

interface Block {
  number: string;
  flags: string;
  // Our command's answer; null for a block tmux runs on its own (the attach itself, a hook).
  request: Request | null;
  lines: Buffer[];
}

const NEWLINE = Buffer.from('\n');
const PERCENT = 0x25;
// Output is paused (and resumed at once: cmux only needs to know that a pane printed) once a pane
// is a second behind, so a chatty pane never makes tmux or cmux buffer without bound.
const CLIENT_FLAGS = 'ignore-size,pause-after=1';
// Reported by tmux (at most once a second) when a pane's program dies or changes: no output
// says so. A title a program sets is output of its own (an escape sequence), so it is heard.
const PANE_STATE_FORMAT = '#{pane_dead}:#{pane_current_command}';
const PANE_STATE_SUBSCRIPTION = 'cmux-panes';
const WINDOW_EVENTS = new Set([
  '%window-add',
  '%window-close',
  '%window-renamed',
  '%unlinked-window-add',
  '%unlinked-window-close',
  '%unlinked-window-renamed',
  '%sessions-changed',
  '%session-renamed',
]);
const CLOSE_GRACE_MS = 1_000;

// One `tmux -C` client attached to `session` (`-N`: it never starts a server, so it can only
// join the one cmux made). Commands go down its stdin one line each and tmux answers each
// command in a %begin/%end (or %error) block, in order; a notification never falls inside a
// block. A block's end is the line that repeats its command number, so pane text that looks
// like a guard line ends nothing. The client takes no part in sizing windows (ignore-size, and
// it never sets a size). `-u`: its answers are UTF-8 whatever the locale (in a C locale tmux
// would replace every non-ASCII character of a shown buffer or an error with `_`). Resolves once
// attached.
export function openControlConnection(options: ControlOptions) {
  const argv = [...options.baseArgs, '-u', '-N', '-C', 'attach-session', '-t', `=${options.session}`, '-f', CLIENT_FLAGS];
  const child = spawn('tmux', argv, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  // A client that is never closed must not keep its process alive: when that process ends, the
  // pipe closes and tmux lets the client go.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  const queue: Request[] = [];
  let block: Block | null = null;
  let rest: Buffer | null = null;
  let stderr = '';
  let attached = false;
  let closed = false;
  let subscribed = false;
  let settle: { resolve(): void; reject(error: CmuxError): void } | null = null;

  // `answer`: the text of tmux's %error block; otherwise the command timed out or lost its connection.
  const failure = (request: Pick<Request, 'argv' | 'started'>, how: { answer: string } | 'timed out' | 'lost') =>
    tmuxError({
      argv: ['tmux', ...request.argv],
      exitCode: typeof how === 'object' ? 1 : undefined,
      stderr: typeof how === 'object' ? how.answer : stderr,
      durationMs: Math.round(performance.now() - request.started),
      timedOut: how === 'timed out',
      connectionLost: how === 'lost',
      missingBinary: false,
    });

  // Ends the connection: every command without its answer fails (it may or may not have run),
  // and the child goes, so no later answer can be taken for another command's.
  function end(why: 'timed out' | 'lost' = 'lost'): void {
    if (closed) return;
    closed = true;
    for (const request of queue.splice(0)) {
      clearTimeout(request.timer);
      request.reject(failure(request, why));
    }
    settle?.reject(failure({ argv, started: performance.now() }, 'lost'));
    settle = null;
    child.stdout.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    options.onClose();
  }

  function send(commands: ReadonlyArray<readonly string[]>, timeoutMs: number, shownArgv: readonly string[]): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const request: Request = { argv: shownArgv, remaining: commands.length, output: [], started: performance.now(), resolve, reject };
      if (closed) {
        reject(failure(request, 'lost'));
        return;
      }
      // A line tmux cannot take (a NUL) throws before anything is queued.
      const line = `${commandLine(commands)}\n`;
      request.timer = setTimeout(() => {
        request.reject(failure(request, 'timed out'));
        queue.splice(queue.indexOf(request), 1);
        end('timed out');
      }, timeoutMs);
      queue.push(request);
      child.stdin.write(line);
    });
  }

  function finishBlock(done: Block, failed: boolean): void {
    const request = done.request;
    if (!request) return;
    request.output.push(...done.lines.flatMap((line) => [line, NEWLINE]));
    request.remaining -= 1;
    if (!failed && request.remaining > 0) return;
    queue.shift();
    clearTimeout(request.timer);
    const text = Buffer.concat(request.output).toString('utf8');
    if (failed) request.reject(failure(request, { answer: text }));
    else request.resolve(text);
  }

  function onNotification(line: Buffer): void {
    const head = line.toString('latin1', 0, Math.min(line.length, 256));
    const words = head.split(' ');
    const name = words[0]!;
    switch (name) {
      case '%begin': {
        const flags = words[3] ?? '';
        // Flag 1: a command of ours, answered in the order sent.
        const request = flags === '1' ? (queue[0] ?? null) : null;
        if (flags === '1' && !request) {
          end();
          return;
        }
        block = { number: words[2] ?? '', flags, request, lines: [] };
        return;
      }
      case '%output':
      case '%extended-output':
      case '%pane-mode-changed':
        if (words[1]) options.onEvent({ type: 'output', pane: words[1] });
        return;
      case '%pause':
        if (words[1]) {
          options.onEvent({ type: 'output', pane: words[1] });
          const resume = ['refresh-client', '-A', `${words[1]}:continue`];
          send([resume], options.timeoutMs, resume).catch(() => undefined);
        }
        return;
      case '%subscription-changed':
        if (words[5]) options.onEvent({ type: 'pane-changed', pane: words[5] });
        return;
      case '%session-changed':
        // Attached; later, switched away from the cmux session (it was destroyed): its panes
        // are no longer the ones reported.
        if (words.slice(2).join(' ') !== options.session) end();
        else if (!attached) {
          attached = true;
          settle?.resolve();
          settle = null;
        }
        return;
      case '%exit':
        end();
        return;
      default:
        if (WINDOW_EVENTS.has(name)) options.onEvent({ type: 'windows-changed' });
    }
  }

  function onLine(line: Buffer): void {
    if (block) {
      if (line[0] === PERCENT && isBlockEnd(line, block)) {
        const done = block;
        block = null;
        finishBlock(done, line[1] === 0x65 /* e of %error */ && line[2] === 0x72);
      } else block.lines.push(line);
      return;
    }
    // Outside a block tmux writes notifications only: anything else means the stream cannot be
    // read any more.
    if (line[0] !== PERCENT) end();
    else onNotification(line);
  }

  child.stdout.on('data', (chunk: Buffer) => {
    const data = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let newline = data.indexOf(10); newline !== -1 && !closed; newline = data.indexOf(10, start)) {
      onLine(data.subarray(start, newline));
      start = newline + 1;
    }
    rest = start < data.length ? Buffer.from(data.subarray(start)) : null;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 4_096) stderr += chunk.toString('utf8');
  });
  child.stdin.on('error', () => end());
  child.on('error', () => end());
  child.on('close', () => end());

  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const attachTimer = setTimeout(() => end(), options.timeoutMs);
  ready.finally(() => clearTimeout(attachTimer)).catch(() => undefined);

  // How this server shows a buffer (see shown-buffer.ts), asked once it is attached.
  let shownBuffers: ShownBufferReading | null = null;
  const connection = {
    get closed(): boolean {
      return closed;
    },
    get shownBuffers(): ShownBufferReading | null {
      return shownBuffers;
    },
    // Runs the commands as one sequence; the answer is their output, as a spawned tmux prints it.
    request: send,
    // Asks tmux to report changes of every pane's state in the session (once per connection).
    async watchPaneStates(): Promise<void> {
      if (subscribed) return;
      subscribed = true;
      const args = ['refresh-client', '-B', `${PANE_STATE_SUBSCRIPTION}:%*:${PANE_STATE_FORMAT}`];
      await send([args], options.timeoutMs, args);
    },
    // Detaches (end of input) and waits a moment for the client to go.
    async close(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return end();
      const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.stdin.end();
      const timer = setTimeout(() => end(), CLOSE_GRACE_MS);
      await gone;
      clearTimeout(timer);
      end();
    },
  };
  return ready.then(async () => {
    const probe = `cmux-probe-${process.pid}-${randomBytes(4).toString('hex')}`;
    const commands = [['set-buffer', '-b', probe, SHOW_PROBE], ['show-buffer', '-b', probe], ['delete-buffer', '-b', probe]];
    shownBuffers = shownBufferReading(await send(commands, options.timeoutMs, [...options.baseArgs, 'show-buffer', '-b', probe]));
    return connection;
  });
}

// Whether `line` (`%end|%error <time> <number> <flags>`) closes `block`.
function isBlockEnd(line: Buffer, block: Block): boolean {
  if (line.length > 64) return false;
  const [name, , number, flags, extra] = line.toString('latin1').split(' ');
  return (name === '%end' || name === '%error') && number === block.number && flags === block.flags && extra === undefined;
}
